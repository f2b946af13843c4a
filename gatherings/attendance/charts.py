"""Horizontal bar charts as inline SVG, drawn on the server: no JavaScript, no inline style.

Each chart is ``role="img"`` with a <title> and a <desc> that reads out every
number, and the page puts the same numbers in a table beside it. Colours come
from presentation attributes (the CSP forbids style attributes, not these), and
the number is printed at the end of every bar, so nothing depends on colour.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours with at least 3:1 contrast against white (WCAG 1.4.11).
SERIES_COLOURS = ("#00557a", "#b34700", "#4a4a55")
WIDTH = 640
LABEL_WIDTH = 250
NUMBER_WIDTH = 60
BAR_HEIGHT = 18
GAP = 10

_ids = itertools.count(1)


@dataclass
class Series:
    name: str
    values: list[int | None]  # None: not shown (a hidden small count)


def bar_chart(title: str, labels: list[str], series: list[Series], *, hidden_text: str = "<5",
              chart_id: str | None = None) -> Markup:
    """Bars per label, one per series, with the number printed beside each bar."""
    chart_id = chart_id or f"chart-{next(_ids)}"
    known = [v for s in series for v in s.values if v is not None]
    top = max(known + [1])
    plot_width = WIDTH - LABEL_WIDTH - NUMBER_WIDTH
    row_height = BAR_HEIGHT * len(series) + GAP
    legend_height = 24 if len(series) > 1 else 0
    height = legend_height + row_height * len(labels) + GAP

    parts: list[str] = []
    desc_items = []
    for index, label in enumerate(labels):
        numbers = []
        for s in series:
            value = s.values[index]
            shown = hidden_text if value is None else str(value)
            numbers.append(f"{s.name} {shown}" if len(series) > 1 else shown)
        desc_items.append(f"{label}: {', '.join(numbers)}")
    desc = "; ".join(desc_items) + "."

    parts.append(
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
    )
    parts.append(f'<title id="{chart_id}-title">{escape(title)}</title>')
    parts.append(f'<desc id="{chart_id}-desc">{escape(desc)}</desc>')
    if len(series) > 1:
        x = LABEL_WIDTH
        for s, colour in zip(series, SERIES_COLOURS):
            parts.append(f'<rect x="{x}" y="4" width="14" height="14" fill="{colour}"/>')
            parts.append(f'<text x="{x + 20}" y="16" font-size="14" fill="#1b1b1f">{escape(s.name)}</text>')
            x += 30 + 9 * len(s.name)
    for index, label in enumerate(labels):
        y0 = legend_height + index * row_height + GAP // 2
        text = label if len(label) <= 30 else label[:29] + "…"  # the full label is in <desc> and the table
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y0 + row_height / 2:.0f}" font-size="13" text-anchor="end" '
            f'dominant-baseline="middle" fill="#1b1b1f">{escape(text)}</text>')
        for n, (s, colour) in enumerate(zip(series, SERIES_COLOURS)):
            value = s.values[index]
            y = y0 + n * BAR_HEIGHT
            width = 0 if value is None else round(plot_width * value / top)
            if value:
                parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{max(width, 2)}" '
                             f'height="{BAR_HEIGHT - 4}" fill="{colour}"/>')
            shown = hidden_text if value is None else str(value)
            parts.append(f'<text x="{LABEL_WIDTH + width + 6}" y="{y + BAR_HEIGHT / 2:.0f}" font-size="13" '
                         f'dominant-baseline="middle" fill="#1b1b1f">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

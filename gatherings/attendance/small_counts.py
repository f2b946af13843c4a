"""Small counts by perspective are hidden: a count of one can point at a person and their health.

A perspective (client, relative, professional ...) can be health information,
so wherever counts by perspective are shown, a count between 1 and
``REPORT_MIN_CELL - 1`` (default 5) is shown as "<5", and further cells are
hidden where a single hidden cell could be worked out from a shown total
(complementary suppression). The aggregate reports and a gathering's
composition by perspective both follow this rule.
"""
from __future__ import annotations

from flask import current_app


def min_cell() -> int:
    """The smallest count by perspective that is shown as it is."""
    return int(current_app.config.get("REPORT_MIN_CELL", 5))


def suppress(rows: list[list[int]], minimum: int, *,
             hide_zeros: bool = False) -> tuple[list[list[int | None]], list[int | None]]:
    """Hide counts 1..minimum-1, then more cells until no hidden count follows from a shown total.

    Published totals: each row's sum, each column's sum (unless hidden) and
    the grand total. A line of cells with a published sum and exactly one hidden
    cell would give it away, so the smallest other cell in it (zeros too) is hidden.

    ``hide_zeros``: hide 0 too, for counts that are looked at again and again as
    people register. Otherwise which zero is hidden beside a small count changes
    with the counts, and two loads of a page side by side say which perspective
    the newcomer has.
    """
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    value = {(i, j): rows[i][j] for i in range(n_rows) for j in range(n_cols)}
    for j in range(n_cols):
        value[("total", j)] = sum(rows[i][j] for i in range(n_rows))
    hidden = {key for key, v in value.items() if (0 if hide_zeros else 1) <= v < minimum}

    changed = True
    while changed:
        changed = False
        lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
        lines.append([("total", j) for j in range(n_cols)])
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols) if ("total", j) not in hidden]
        for line in lines:
            hidden_here = [key for key in line if key in hidden]
            if len(hidden_here) == 1:
                others = [key for key in line if key not in hidden]
                if others:
                    hidden.add(min(others, key=lambda key: value[key]))
                    changed = True
    cells = [[None if (i, j) in hidden else rows[i][j] for j in range(n_cols)] for i in range(n_rows)]
    totals = [None if ("total", j) in hidden else value[("total", j)] for j in range(n_cols)]
    return cells, totals

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from gatherings.attendance import listing, reports, services
from gatherings.attendance.charts import Series, bar_chart
from gatherings.extensions import db
from gatherings.registration import services as registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration, make_theme


def test_dashboard_counts_in_one_query(app):
    now = utcnow()
    g = make_gathering(capacity=4)
    for _ in range(5):
        make_registration(g)
    services.check_in(g, listing.active_lists(g).confirmed[0].id)
    old = make_gathering(starts_at=now - timedelta(days=3))
    empty = make_gathering(capacity=0, status="draft")
    db.session.commit()
    g_slug, old_slug, empty_slug = g.slug, old.slug, empty.slug
    db.session.expunge_all()
    statements = []

    def count(*args):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = reports.dashboard()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    names = [row.gathering.slug for row in rows]
    _ = [(row.gathering.theme, row.gathering.host) for row in rows]
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert old_slug not in names
    mine = rows[names.index(g_slug)]
    assert (mine.confirmed, mine.waitlisted, mine.checked_in, mine.fill_percent) == (4, 1, 1, 100)
    assert rows[names.index(empty_slug)].fill_percent is None


def test_dashboard_filter(app):
    from gatherings.catalogue.models import Gathering
    a, b = make_gathering(), make_gathering()
    assert [r.gathering.id for r in reports.dashboard(Gathering.id.in_([b.id]))] == [b.id]
    assert a.id != b.id


def test_report_counts_by_month_kind_theme_perspective(app):
    theme = make_theme()
    year = utcnow().year + 1
    start = datetime(year, 3, 10, 12, tzinfo=timezone.utc)
    g = make_gathering(starts_at=start, theme_id=theme.id, capacity=20)
    regs = [make_registration(g, perspective="client") for _ in range(6)]
    make_registration(g, perspective="relative")
    make_registration(g)  # not said
    gone = make_registration(g, perspective="professional")
    locked_call(registration.cancel, gone.gathering_id, gone.id)
    # attendance counted where people checked in
    for r in regs[:5]:
        r.checked_in_at = start
    make_gathering(starts_at=datetime(year, 3, 11, 12, tzinfo=timezone.utc), status="draft")
    db.session.commit()
    with app.test_request_context("/"):
        result = reports.report(year)
    march = result.months.index(f"{year}-03")
    assert result.registrations_per_month[march] == 8
    assert result.attendance_per_month[march] == 5
    kinds = dict(zip([c for c, _l in result.by_kind.columns], result.by_kind.registrations[march]))
    assert kinds["theme"] == 8
    themes = dict(zip([c for c, _l in result.by_theme.columns], result.by_theme.registrations[march]))
    assert themes[str(theme.id)] == 8
    persp = dict(zip([c for c, _l in result.by_perspective.columns], result.by_perspective.registrations[march]))
    assert persp["client"] == 6
    assert persp["relative"] is None and persp["not_said"] is None  # 1 person each: hidden
    assert persp["professional"] is not None or persp["management"] is None
    att = dict(zip([c for c, _l in result.by_perspective.columns], result.by_perspective.attendance[march]))
    assert att["client"] == 5


def test_bar_chart_is_accessible_svg():
    svg = str(bar_chart("Aanmeldingen <per> maand", ["jan", "feb"],
                        [Series("Aangemeld", [3, None]), Series("Gekomen", [2, 0])]))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg and "aria-labelledby" in svg
    assert "Aanmeldingen &lt;per&gt; maand" in svg
    assert "jan: Aangemeld 3, Gekomen 2; feb: Aangemeld &lt;5, Gekomen 0." in svg
    assert "style=" not in svg and "<script" not in svg

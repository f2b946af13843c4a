"""In-process CPU per step of the opening rush with and without a programme (Flask's test client, no server).

On a PostgreSQL database of its own (created and dropped here), made as ``rush.py --programme`` makes
it (a 400-seat day without a programme and one with two rounds of four 100-seat workshops), people
register one after the other, as during the rush: page, POST (a workshop per round, spread over the
four, as bench/programme_rush.py chooses), result page (``/r/<token>?new=1``). The two days take
turns in blocks (``--block``), so that a busy machine weighs on both alike. It prints this thread's
CPU per step (mean), with and without, and the difference, while the day's seats go and after,
and the difference weighed as in the rush's 2,000 registrations; ``--profile FILE`` writes a cProfile of
the day with a programme (pstats).

    .venv/bin/python bench/programme_inprocess.py [--registrations 800] [--block 50] [--profile /tmp/p.prof]

BENCH_DATABASE_URL (or TEST_DATABASE_URL) names the server, as for rush.py.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT.parent))

from browsers import CSRF_FIELD  # noqa: E402
from programme_rush import PLAIN_SLUGS, PROGRAMME_SLUG  # noqa: E402
import programme_rush  # noqa: E402
import rush  # noqa: E402

STEPS = ("page", "post", "result")
RUSH = 2000  # registrations in bench/rush.py --programme
KW = {"base_url": "https://localhost", "headers": {"Accept-Language": "nl-NL,nl;q=0.9", "X-Forwarded-Proto": "https"}}


def one(app, slug: str, i: int, times: dict, profile: cProfile.Profile | None) -> str:
    client = app.test_client()

    def timed(step, call):
        if profile is not None:
            profile.enable()
        cpu = time.thread_time()
        response = call()
        times[step].append((time.thread_time() - cpu) * 1000)
        if profile is not None:
            profile.disable()
        return response

    page = timed("page", lambda: client.get(f"/gatherings/{slug}", **KW))
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    form = {"csrf_token": CSRF_FIELD.search(html).group(1), "name": f"Deelnemer {i}",
            "email": f"inproc-{slug}-{i}@voorbeeld.nl", "organisation": "", "needs": "", "consent": "y"}
    form.update(programme_rush.workshop_per_round(html, i))
    headers = {**KW["headers"], "Referer": f"https://localhost/gatherings/{slug}"}
    answer = timed("post", lambda: client.post(f"/gatherings/{slug}/register", data=form,
                                               base_url=KW["base_url"], headers=headers))
    assert answer.status_code == 303, (answer.status_code, answer.get_data(as_text=True)[:300])
    result = timed("result", lambda: client.get(answer.headers["Location"], **KW))
    assert result.status_code == 200, result.status_code
    return result.get_data(as_text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=800, help="per day (more than --seats)")
    parser.add_argument("--block", type=int, default=50, help="registrations per day before the other's turn")
    parser.add_argument("--seats", type=int, default=400)
    parser.add_argument("--profile", help="write a cProfile of the day with a programme here")
    args = parser.parse_args()
    if args.registrations <= args.seats:
        parser.error("--registrations must be more than --seats: the figures compare the pages while the seats go"
                     " with those after")

    name = f"gatherings_progin_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    rush.create_database(name)
    try:
        url = sa.engine.make_url(rush.admin_url()).set(database=name).render_as_string(hide_password=False)
        rush.prepare(url, args.seats)
        programme_rush.prepare(url, args.seats)
        app = rush.bench_app(url)
        warm = {s: [] for s in STEPS}
        for i in range(5):  # imports, compiled templates, statement caches (on the second plain day)
            one(app, PLAIN_SLUGS[1], 10**6 + i, warm, None)
        profile = cProfile.Profile() if args.profile else None
        times = {day: {s: [] for s in STEPS} for day in ("without", "with")}
        for start in range(0, args.registrations, args.block):
            for day, slug in (("without", PLAIN_SLUGS[0]), ("with", PROGRAMME_SLUG)):
                for i in range(start, min(start + args.block, args.registrations)):
                    one(app, slug, i, times[day], profile if day == "with" else None)
        with app.app_context():
            from gatherings.extensions import db
            db.engine.dispose()
    finally:
        rush.drop_database(name)
    if profile is not None:
        profile.dump_stats(args.profile)
    print(f"{args.registrations} registrations per day, {args.seats} seats, blocks of {args.block}; "
          "this thread's CPU per request, ms (mean)")
    # While the day's seats go (the first ``seats`` registrations) every page is rendered again, with or
    # without a programme; after that the kept page is served. The rush weighs them as 400 : 1,600.
    phases = {"seats go": slice(0, args.seats), "then": slice(args.seats, None)}
    weights = {"seats go": args.seats / RUSH, "then": (RUSH - args.seats) / RUSH}
    print(f"{'step':<8}" + "".join(f"{p + ': without':>20}{'with':>7}{'extra':>7}" for p in phases)
          + f"{'as in a rush of ' + str(RUSH) + ': extra':>30}")
    total = {phase: {"without": 0.0, "with": 0.0} for phase in phases}
    for step in STEPS:
        line, rush_extra = f"{step:<8}", 0.0
        for phase, part in phases.items():
            means = {day: statistics.fmean(times[day][step][part]) for day in times}
            for day in means:
                total[phase][day] += means[day]
            line += f"{means['without']:>20.2f}{means['with']:>7.2f}{means['with'] - means['without']:>7.2f}"
            rush_extra += weights[phase] * (means["with"] - means["without"])
        print(line + f"{rush_extra:>30.2f}")
    line, rush_extra = f"{'total':<8}", 0.0
    for phase, sums in total.items():
        line += f"{sums['without']:>20.2f}{sums['with']:>7.2f}{sums['with'] - sums['without']:>7.2f}"
        rush_extra += weights[phase] * (sums["with"] - sums["without"])
    print(line + f"{rush_extra:>30.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cold aggregate timings: the summary rows against the live queries (≤ 300 ms at 1M on PostgreSQL; docs/BENCHMARKS.md).

    python bench/summary_bench.py postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_h19_1m

Each figure is the median of ``--repeat`` runs with no cache at all (a fresh in-process cache per run):
the stats API's recap, the per-OPD table's recap, the whole dashboard (``queries.dashboard``: recap,
per-OPD table with medians, categories, channels, regions, reporters, monthly trend) and one OPD page,
for the current year and for everything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from portal import create_app
    from portal.complaints import stats, summary
    from portal.core import cache
    from portal.extensions import db
    from portal.public import queries

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "TESTING": True, "SECRET_KEY": "bench"})
    today = dt.date.today()
    periods = {"this year": (dt.date(today.year, 1, 1), today), "all": (dt.date(2000, 1, 1), today)}
    with app.app_context():
        opd = db.session.scalar(sa_select_busiest_opd())
        rows = []
        for label, (start, end) in periods.items():
            cases = {
                "stats API recap (summary)": lambda s=start, e=end: summary.recap(s, e),
                "stats API recap (live, before)": lambda s=start, e=end: stats.recap(s, e),
                "per-OPD recap (summary)": lambda s=start, e=end: summary.recap_per_opd(s, e),
                "per-OPD recap (live, before)": lambda s=start, e=end: stats.recap_per_opd(s, e),
                "whole dashboard, cold": lambda s=start, e=end: queries.dashboard(s, e),
                "one OPD page, cold": lambda s=start, e=end: queries.opd_page(opd, s, e),
            }
            for name, fn in cases.items():
                times = []
                for _ in range(args.repeat):
                    cache.clear_local()
                    t0 = time.perf_counter()
                    fn()
                    times.append((time.perf_counter() - t0) * 1000)
                    db.session.rollback()
                rows.append((label, name, statistics.median(times)))
        n = db.session.scalar(db.text("SELECT count(*) FROM complaint"))
        ns = db.session.scalar(db.text("SELECT count(*) FROM complaint_summary"))
    print(f"{n:,} complaints, {ns:,} summary rows; median of {args.repeat} cold runs")
    print("| period | aggregate | ms |\n|---|---|---:|")
    for label, name, ms in rows:
        print(f"| {label} | {name} | {ms:.0f} |")


def sa_select_busiest_opd():
    import sqlalchemy as sa

    from portal.complaints.models import Complaint
    from portal.people.models import OPD

    busiest = (sa.select(Complaint.opd_id).where(Complaint.opd_id.is_not(None)).group_by(Complaint.opd_id)
               .order_by(sa.func.count().desc()).limit(1).scalar_subquery())
    return sa.select(OPD).where(OPD.id == busiest)


if __name__ == "__main__":
    main()

"""Queue latency with many complaints on PostgreSQL: p95 of the first page of filtered queues.

Usage::

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/queue_bench.py --complaints 1000000 --repeat 20

Seeds with :func:`portal.demo.generate_complaints` when the database has fewer complaints than
asked, then requests ``/admin/?…`` through the Flask test client as a Kominfo user with
``HX-Request`` (the rows fragment; ``--full``: whole pages) and reports server-side p50/p95 per queue
view after one untimed warm-up request, and the fragment size. ``--cold`` clears the count cache before
each request (worst case: every request follows a change) and also times the tab counts' own request
(``/admin/jumlah``), which the page fetches after its rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from portal import create_app, demo
from portal.complaints.models import Category, Complaint
from portal.core import cache
from portal.extensions import db
from portal.people.models import OPD, Role, User

VIEWS = [
    "tab=belum_terverifikasi",
    "tab=belum_ditindaklanjuti",
    "tab=proses",
    "tab=tunda",
    "tab=dikembalikan",
    "tab=rawan",
    "tab=terlambat",
    "tab=proses&opd=DPUPR",
    "tab=belum_ditindaklanjuti&opd=DINKES",
    "tab=proses&kanal=sms",
    "tab=proses&jenis=aspirasi",
    "tab=proses&kategori={cat}",
    "tab=proses&dari={since}",
    "tab=proses&anonim=1",
    "tab=proses&rahasia=1",
    "tab=proses&urut=lama",
    "tab=terlambat&opd=DPUPR",
    "tab=proses&q=lampu",
    "tab=proses&q={tracking}",
    # harder ones: selective filters on the late tab, free text that is common / rare
    "tab=terlambat&urut=lama",
    "tab=proses&urut=tenggat",
    "tab=terlambat&urut=tenggat&opd=DPUPR",
    "tab=terlambat&rahasia=1&kanal=sms",
    "tab=rawan&opd=DPUPR",
    "tab=terlambat&q=lampu",
    "tab=proses&q=xylofon",
    # words of middling frequency (a few hundred to a few thousand open matches) on selective tabs
    "tab=terlambat&q=pabrik",
    "tab=rawan&q=pangkat",
    "tab=tunda&q=rsud",
    "tab=belum_terverifikasi&q=imunisasi",
]


def seed(n: int) -> None:
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) or 0
    opds, cats = demo.ensure_reference_data()
    demo.ensure_users(opds, dt.date.today())
    db.session.commit()
    if have >= n:
        print(f"database has {have} complaints")
        return
    todo = n - have
    t0 = time.perf_counter()
    rng = random.Random(have + 1708)
    step = 100_000
    while todo > 0:
        k = min(step, todo)
        demo.generate_complaints(k, rng, opds, cats, dt.datetime.now(dt.UTC))
        db.session.commit()
        todo -= k
        print(f"  seeded {n - todo} ({time.perf_counter() - t0:.0f} s)", flush=True)
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--complaints", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--cold", action="store_true", help="clear the counts cache before every request (and time "
                    "the counts' own request, /admin/jumlah)")
    ap.add_argument("--after-change", action="store_true", help="a data change before every request (the "
                    "view's last counts are known, the current ones are not): what a busy office sees")
    ap.add_argument("--full", action="store_true", help="whole pages (first visit, no JavaScript) instead of htmx "
                    "fragments")
    ap.add_argument("--js", action="store_true", help="with --full: a browser with JavaScript (the js=1 cookie)")
    args = ap.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        sys.exit("set BENCH_DATABASE_URL to a PostgreSQL database")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "TESTING": True})
    with app.app_context():
        db.create_all()
        seed(args.complaints)
        user = db.session.scalar(sa.select(User).where(User.role == Role.KOMINFO))
        cat = db.session.scalar(sa.select(Category.id).where(Category.path == "Infrastruktur"))
        tracking = db.session.scalar(sa.select(Complaint.tracking_no).where(Complaint.status == "proses").limit(1))
        assert db.session.scalar(sa.select(OPD.id).where(OPD.code == "DPUPR"))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Complaint))
        since = (dt.date.today() - dt.timedelta(days=30)).isoformat()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    load = os.getloadavg()
    mode = "cold" if args.cold else "after a change" if args.after_change else "warm"
    print(f"\n{total} complaints; {args.repeat} requests per view; counts cache {mode}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    headers = {} if args.full else {"HX-Request": "true"}
    if args.js:  # a browser that runs static/js/portal.js: whole pages load their counts afterwards
        client.set_cookie("js", "1")
    print(f"{'view':48} {'p50 ms':>8} {'p95 ms':>8} {'KB':>6} {'counts p50':>11} {'counts p95':>11}")
    all_times, all_counts = [], []
    for view in VIEWS:
        q = view.format(cat=cat, since=since, tracking=tracking)
        client.get(f"/admin/?{q}", headers=headers)  # warm-up (templates, plans): not timed
        times, count_times = [], []
        size = 0
        for _ in range(args.repeat):
            if args.cold:
                with app.app_context():
                    cache.clear_local()
            elif args.after_change:
                with app.app_context():
                    cache.bump_generation()
            t0 = time.perf_counter()
            resp = client.get(f"/admin/?{q}", headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200, resp.status_code
            size = len(resp.data)
            if args.cold or args.after_change:  # the tab counts' own request, fetched after the rows
                t0 = time.perf_counter()
                assert client.get(f"/admin/jumlah?{q}", headers={"HX-Request": "true"}).status_code == 200
                count_times.append((time.perf_counter() - t0) * 1000)
        all_times += times
        all_counts += count_times
        counts_cols = f"{_pct(count_times, 50):11.1f} {_pct(count_times, 95):11.1f}" if count_times else ""
        print(f"{q:48} {_pct(times, 50):8.1f} {_pct(times, 95):8.1f} {size / 1024:6.1f} {counts_cols}")
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    counts_cols = f"{_pct(all_counts, 50):11.1f} {_pct(all_counts, 95):11.1f}" if all_counts else ""
    print(f"{'ALL':48} {_pct(all_times, 50):8.1f} {_pct(all_times, 95):8.1f} {'':6} {counts_cols}")


def _pct(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return statistics.median(ordered) if p == 50 else ordered[max(0, round(p / 100 * len(ordered)) - 1)]


if __name__ == "__main__":
    main()

"""200 concurrent public users for 60 s on the dashboard, tracking and the API (loopback, bounded).

    python bench/load_200.py [--backend postgresql] [--size 100000] [--seconds 60] [--users 200]

wrk keeps 200 connections busy with no think time (a worst case: real citizens pause between
pages), cycling over ``/``, ``/lacak/<nomor>`` for 50 different public complaints, ``/api/v1/stats``
and ``/api/v1/complaints/<nomor>``. Rate limits are off (one client address would trip them).
Pass: zero socket errors and zero non-2xx answers. Prints requests/s and p50/p95/p99 latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench import common, seed


def tracking_numbers(url: str, n: int = 50) -> list[str]:
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        total = conn.scalar(sa.text("SELECT COUNT(*) FROM complaint"))
        step = max(1, total // n)
        rows = conn.execute(sa.text("SELECT tracking_no FROM complaint WHERE is_confidential = :f AND id % :s = 0 "
                                    "ORDER BY id LIMIT :n"), {"f": False, "s": step, "n": n}).scalars().all()
    eng.dispose()
    return list(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", default="postgresql")
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--users", type=int, default=200)
    args = ap.parse_args()
    if not common.ensure_wrk():
        sys.exit("wrk is not available")
    url = seed.ensure(args.backend, args.size, echo=lambda m: print(m, file=sys.stderr))
    numbers = tracking_numbers(url)
    paths = ["/", "/api/v1/stats"]
    for i, no in enumerate(numbers):
        paths.append(f"/lacak/{no}" if i % 2 == 0 else f"/api/v1/complaints/{no}")
        if i % 5 == 0:
            paths.append("/")
    lua = "paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n" + """
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
""" + common.WRK_LUA
    with common.gunicorn("portal:create_app()", common.portal_env(url)) as (base, proc):
        statuses = {p: common.status_of(base + p) for p in dict.fromkeys([paths[0], paths[1], paths[2], paths[3]])}
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(lua)
        cmd = ["wrk", "-t2", f"-c{args.users}", f"-d{args.seconds}s", "--timeout=30s", "-s", f.name, base + "/"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.seconds + 120, check=False).stdout
        Path(f.name).unlink(missing_ok=True)
        rss = common.rss_mb(common.worker_pids(proc.pid))
    m = re.search(r"WRKJSON (\{.*\})", out)
    fig = json.loads(m.group(1)) if m else {"error": out[-300:]}
    ok = bool(m) and fig["errors"] == 0 and fig["non2xx"] == 0
    label = f"{'SQLite' if args.backend == 'sqlite' else 'PostgreSQL'} {seed.label(args.size)}"
    text = "\n".join([
        f"Load {dt.date.today().isoformat()} · {common.machine()} · {label} · {args.users} users × {args.seconds} s, "
        "no think time, gunicorn.conf.py defaults",
        f"Mix: {len(paths)} URLs cycling (dashboard, {len(numbers) // 2} tracking pages, stats API, "
        f"{len(numbers) - len(numbers) // 2} complaint API); first answers {statuses}", "",
        "| requests | req/s | p50 ms | p95 ms | p99 ms | max ms | socket errors | non-2xx | workers RSS MB | result |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {fig.get('requests')} | {fig.get('rps')} | {fig.get('p50_ms')} | {fig.get('p95_ms')} | "
        f"{fig.get('p99_ms')} | {fig.get('max_ms')} | {fig.get('errors')} | {fig.get('non2xx')} | {rss:.0f} | "
        f"{'PASS' if ok else 'FAIL'} |",
    ])
    print(text)
    common.OUT.mkdir(parents=True, exist_ok=True)
    (common.OUT / f"load200-{dt.datetime.now():%Y%m%d-%H%M}.md").write_text(text + "\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

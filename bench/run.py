"""Speed figures in one run: the portal under gunicorn beside a bare Flask endpoint.

    python bench/run.py                       # 100k and 1M complaints, SQLite and PostgreSQL
    python bench/run.py --sizes 100000 --backends sqlite --seconds 5     # a quick look
    python bench/run.py --sustained --sizes 100000 --backends sqlite    # 60 s on one server (docs/BENCHMARKS.md)

``--sustained`` (bench/sustained.py) is the figure that counts: one server per database, a 60-second
mixed public load (stats, tracking, dashboard, list, Open311) and then each endpoint for 60 s without
restarting gunicorn, the portal and bare Flask under the same gunicorn.conf.py, with req/s ratio,
p50/p99 and worker boots. Without it, the older per-endpoint table below.

For each database (seeded once by bench/seed.py and cached) the portal runs under the project's
gunicorn.conf.py on 127.0.0.1 with rate limits off (``--with-limits``: on), and wrk (Debian's package, installed here if
missing) measures requests/s and p95 latency for /api/v1/stats, /lacak/<number>, / and the admin
queue (signed in as Kominfo through the real form). The bare endpoint (bench/bare_app.py) runs
under the same settings as the floor. Import rows/s and peak memory (bench/import_bench.py) and
the report PDF time (bench/report_bench.py) are included when those scripts exist. A missing
page reports "n/a". Results: a Markdown table on stdout and in bench/out/results-<date>.md/.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, seed

ENDPOINTS = [("/api/v1/stats", "api_stats"), ("/lacak/{no}", "lacak"), ("/", "dashboard"),
             ("/admin/", "admin_queue")]


def pick_tracking_no(url: str) -> str | None:
    import sqlalchemy as sa

    eng = sa.create_engine(url)
    try:
        with eng.connect() as conn:
            n = conn.scalar(sa.text("SELECT COUNT(*) FROM complaint")) or 0
            return conn.scalar(sa.text("SELECT tracking_no FROM complaint WHERE is_confidential = :f "
                                       "ORDER BY id LIMIT 1 OFFSET :o"), {"f": False, "o": n // 2})
    finally:
        eng.dispose()


def bench_portal(backend: str, size: int, args) -> dict:
    url = seed.ensure(backend, size, echo=lambda m: print(m, file=sys.stderr))
    tracking = pick_tracking_no(url)
    rows: dict[str, dict] = {}
    env = common.portal_env(url)
    if args.with_limits:  # the shared public limit counted on every request, set too high to refuse any
        env.update({"RATELIMIT_ENABLED": "true", "RATELIMIT_PUBLIC": "100000000/minute"})
    if args.redis:  # production's shape: cache, data generation and rate limits in Redis
        env["REDIS_URL"] = args.redis
        _flush_redis(args.redis)
    with common.gunicorn("portal:create_app()", env) as (base, proc):
        cookie = common.sign_in(base, *common.KOMINFO)
        for path, name in ENDPOINTS:
            target = base + path.format(no=tracking)
            needs_cookie = path.startswith("/admin")
            if needs_cookie and not cookie:
                rows[name] = {"na": "sign-in failed"}
                continue
            t0 = time.perf_counter()
            status = common.status_of(target, cookie if needs_cookie else None)
            first_ms = (time.perf_counter() - t0) * 1000
            if status != 200:
                rows[name] = {"na": f"HTTP {status}"}
                continue
            common.wrk(target, seconds=args.warmup, connections=args.connections,
                       cookie=cookie if needs_cookie else None)
            fig = common.wrk(target, seconds=args.seconds, connections=args.connections,
                             cookie=cookie if needs_cookie else None)
            fig["first_ms"] = round(first_ms, 1)
            rows[name] = fig
            print(f"  {backend} {seed.label(size)} {name}: {fig}", file=sys.stderr)
        rows["_rss_mb"] = round(common.rss_mb(common.worker_pids(proc.pid)), 0)
    return rows


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def bench_bare(args) -> dict:
    env = common.portal_env("sqlite://")
    with common.gunicorn("bench.bare_app:app", env, ready_path="/bare") as (base, _proc):
        common.wrk(base + "/bare", seconds=args.warmup, connections=args.connections)
        return common.wrk(base + "/bare", seconds=args.seconds, connections=args.connections)


def run_script(name: str, args_list: list[str], timeout: int) -> str:
    script = common.ROOT / "bench" / name
    if not script.exists():
        return "n/a (script not present)"
    try:
        proc = subprocess.run([sys.executable, str(script), *args_list], cwd=common.ROOT, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"n/a (timed out after {timeout} s)"
    text = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
    tail = "\n".join(text[-20:])
    return tail if proc.returncode == 0 else f"failed (exit {proc.returncode}):\n{tail}"


def fmt(fig: dict | None) -> tuple[str, str, str]:
    if not fig or "na" in fig or "error" in fig:
        return "n/a", "n/a", (fig or {}).get("na", "n/a") if fig else "n/a"
    if not fig["requests"]:
        return "n/a", "n/a", "no request finished within the run"
    errs = fig["errors"] + fig["non2xx"]
    return f"{fig['rps']:.0f}", f"{fig['p95_ms']:.1f}", str(errs)


def table(results: dict, bare: dict, args) -> str:
    cols = list(results)
    lines = [f"Date: {dt.date.today().isoformat()} · machine: {common.machine()} · gunicorn "
             f"{args.workers or 'default'} workers (gthread) · wrk {args.connections} connections, {args.seconds} s "
             f"per row after a warm-up · rate limits {'on' if args.with_limits else 'off'} · "
             f"{'Redis' if args.redis else 'no Redis'} · loopback", "",
             "| endpoint | " + " | ".join(f"{c} req/s | {c} p95 ms" for c in cols) + " |",
             "|---|" + "---:|---:|" * len(cols)]
    b = fmt(bare)
    lines.append("| bare Flask `/bare` (same gunicorn) | " + " | ".join(f"{b[0]} | {b[1]}" for _ in cols) + " |")
    for path, name in ENDPOINTS:
        cells = []
        for c in cols:
            rps, p95, note = fmt(results[c].get(name))
            cells.append(f"{rps} | {p95}" if rps != "n/a" else f"n/a ({note}) | n/a")
        lines.append(f"| `{path.replace('{no}', '<nomor>')}` | " + " | ".join(cells) + " |")
    errors = {c: sum(int(fmt(results[c].get(n))[2]) for _, n in ENDPOINTS if fmt(results[c].get(n))[0] != "n/a")
              for c in cols}
    lines.append("| errors (non-2xx + socket) | " + " | ".join(f"{errors[c]} | " for c in cols) + " |")
    lines.append("| gunicorn workers RSS MB | " + " | ".join(f"{results[c].get('_rss_mb', 'n/a')} | " for c in cols)
                 + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=None, help="WEB_CONCURRENCY (default: gunicorn.conf.py)")
    ap.add_argument("--skip-scripts", action="store_true", help="skip import/report benches")
    ap.add_argument("--redis", default=None, metavar="URL", help="run the portal with REDIS_URL=URL (a "
                    "database of its own: it is flushed), e.g. redis://127.0.0.1:6379/14")
    ap.add_argument("--with-limits", action="store_true", help="rate limits on (in-process storage), with a "
                    "limit no run reaches: what counting every request costs")
    ap.add_argument("--sustained", action="store_true", help="bench/sustained.py per database (60 s default)")
    args = ap.parse_args()
    if args.sustained:
        from bench import sustained

        seconds = args.seconds if args.seconds != 10 else 60
        for backend in args.backends.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                res = sustained.run(backend, size, seconds, args.connections, args.redis, args.with_limits)
                print(sustained.table(res, f"{backend} {seed.label(size)}, {'Redis' if args.redis else 'no Redis'}, "
                                           f"rate limits {'on' if args.with_limits else 'off'}, {seconds} s per row"))
        return
    if args.workers:
        import os

        os.environ["WEB_CONCURRENCY"] = str(args.workers)
    if not common.ensure_wrk():
        sys.exit("wrk is not available (apt-get install wrk)")
    common.OUT.mkdir(parents=True, exist_ok=True)
    bare = bench_bare(args)
    print(f"  bare: {bare}", file=sys.stderr)
    results: dict[str, dict] = {}
    for backend in args.backends.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            col = f"{'SQLite' if backend == 'sqlite' else 'PostgreSQL'} {seed.label(size)}"
            try:
                results[col] = bench_portal(backend, size, args)
            except Exception as exc:  # keep the other columns
                print(f"  {col} failed: {exc}", file=sys.stderr)
                results[col] = {}
    out = [table(results, bare, args)]
    if not args.skip_scripts:
        scratch = f"{seed.PG_SERVER}/portal_bench_import"
        seed._ensure_pg_database(scratch)
        out += ["", "Import, SQLite (bench/import_bench.py --rows 100000):", "```",
                run_script("import_bench.py", ["--rows", "100000"], 900), "```",
                "", "Import, PostgreSQL (bench/import_bench.py --rows 100000 --db …/portal_bench_import):", "```",
                run_script("import_bench.py", ["--rows", "100000", "--db", scratch], 900), "```",
                "", "Report PDF (bench/report_bench.py):", "```", run_script("report_bench.py", [], 900), "```"]
    text = "\n".join(out)
    print(text)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    (common.OUT / f"results-{stamp}.md").write_text(text + "\n")
    (common.OUT / f"results-{stamp}.json").write_text(json.dumps({"bare": bare, "portal": results}, indent=1))


if __name__ == "__main__":
    main()

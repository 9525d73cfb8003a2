"""Sustained load on ONE server: a 60-second mixed public load, then each endpoint for 60 s.

    python bench/sustained.py --backend sqlite --size 100000            # the embedded default
    python bench/sustained.py --backend postgresql --size 1000000 --redis redis://127.0.0.1:6379/8

The portal and the bare endpoint (bench/bare_app.py) both run under the project's gunicorn.conf.py,
unchanged (its worker recycling included). Each is started once and measured without restarts between
rows, so recycling, cache expiry and recomputation show up as they would in production. Reported per
row: req/s, the ratio to bare Flask, p50/p99 ms, errors, and how many workers gunicorn (re)booted
during the run beyond the initial ones. Called by bench/run.py (``--mode sustained``, the default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, seed

#: the public endpoints of the mixed load (``{no}``: a tracking number in the middle of the data)
PUBLIC = [("/api/v1/stats", "stats"), ("/lacak/{no}", "tracking"), ("/", "dashboard"),
          ("/laporan", "list"), ("/open311/v2/requests.json", "open311")]


def _boots(log: Path) -> int:
    try:
        return log.read_text(errors="replace").count("Booting worker")
    except OSError:
        return 0


def measure(app_spec: str, env: dict, paths: list[tuple[str, str]], seconds: int, connections: int,
            ready_path: str) -> dict:
    """One server: the mixed load over ``paths`` then each path alone; worker boots counted from its log."""
    rows: dict[str, dict] = {}
    with common.gunicorn(app_spec, env, ready_path=ready_path) as (base, proc):
        log_path = Path(f"/proc/{proc.pid}/fd/1").resolve()  # the master's log file (bench/common.py)
        for path, _name in paths:  # one request each: the first, cold figure
            common.status_of(base + path)
        common.wrk(base + paths[0][0], seconds=3, connections=connections, paths=[p for p, _ in paths])
        initial = len(common.worker_pids(proc.pid))  # all forked by now (the master warms up first)
        before = _boots(log_path)
        rows["mixed"] = common.wrk(base + paths[0][0], seconds=seconds, connections=connections,
                                   paths=[p for p, _ in paths])
        rows["mixed"]["restarts"] = _boots(log_path) - before
        for path, name in paths:
            before = _boots(log_path)
            rows[name] = common.wrk(base + path, seconds=seconds, connections=connections)
            rows[name]["restarts"] = _boots(log_path) - before
            print(f"  {app_spec} {name}: {rows[name]}", file=sys.stderr)
        rows["_workers"] = initial
        rows["_rss_mb"] = round(common.rss_mb(common.worker_pids(proc.pid)), 0)
    return rows


def run(backend: str, size: int, seconds: int, connections: int, redis: str | None, with_limits: bool) -> dict:
    from bench.run import pick_tracking_no

    url = seed.ensure(backend, size, echo=lambda m: print(m, file=sys.stderr))
    tracking = pick_tracking_no(url)
    paths = [(p.format(no=tracking), n) for p, n in PUBLIC]
    env = common.portal_env(url)
    if with_limits:
        env.update({"RATELIMIT_ENABLED": "true", "RATELIMIT_PUBLIC": "100000000/minute",
                    "RATELIMIT_RECOMPUTE": "100000000/minute"})
    if redis:
        import redis as redis_lib

        redis_lib.Redis.from_url(redis).flushdb()
        env["REDIS_URL"] = redis
    portal = measure("portal:create_app()", env, paths, seconds, connections, "/healthz")
    bare_env = common.portal_env("sqlite://")
    bare = measure("bench.bare_app:app", bare_env, [("/bare", "bare")], seconds, connections, "/bare")
    return {"portal": portal, "bare": bare["bare"], "bare_mixed": bare["mixed"], "seconds": seconds}


def table(res: dict, label: str) -> str:
    bare = res["bare"]
    lines = [f"**{label}** — bare Flask `/bare`: {bare.get('rps', 0):.0f} req/s, p50 {bare.get('p50_ms', 0):.1f} ms, "
             f"p99 {bare.get('p99_ms', 0):.1f} ms, worker boots during the run {bare.get('restarts', 0)}", "",
             f"| load ({res.get('seconds', 60)} s each, one server) | req/s | × bare | p50 ms | p99 ms | errors "
             "| worker boots |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, fig in res["portal"].items():
        if name.startswith("_"):
            continue
        if "rps" not in fig:
            lines.append(f"| {name} | n/a | | | | {fig.get('error', '')[:60]} | |")
            continue
        ratio = fig["rps"] / bare["rps"] if bare.get("rps") else 0
        lines.append(f"| {name} | {fig['rps']:.0f} | {ratio:.2f}× | {fig['p50_ms']:.1f} | {fig['p99_ms']:.1f} | "
                     f"{fig['errors'] + fig['non2xx']} | {fig.get('restarts', 0)} |")
    lines.append(f"\nworkers {res['portal'].get('_workers')}, RSS {res['portal'].get('_rss_mb')} MB after the run")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", default="sqlite")
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--redis", default=None, metavar="URL", help="REDIS_URL for the portal (flushed)")
    ap.add_argument("--with-limits", action="store_true", help="rate limits on, set too high to refuse")
    args = ap.parse_args()
    if not common.ensure_wrk():
        sys.exit("wrk is not available (apt-get install wrk)")
    res = run(args.backend, args.size, args.seconds, args.connections, args.redis, args.with_limits)
    label = (f"{'SQLite' if args.backend == 'sqlite' else 'PostgreSQL'} {seed.label(args.size)}, "
             f"{'Redis' if args.redis else 'no Redis'}, rate limits {'on' if args.with_limits else 'off'}, "
             f"{dt.date.today()}, {common.machine()}, wrk {args.connections} connections")
    text = table(res, label)
    print(text)
    common.OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (common.OUT / f"sustained-{stamp}.md").write_text(text + "\n")
    (common.OUT / f"sustained-{stamp}.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

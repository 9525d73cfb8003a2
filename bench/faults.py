"""Fault drills on this machine's own services (loopback only, bounded in time).

    python bench/faults.py [worker] [postgres] [redis]     # all three by default
    python bench/faults.py postgres --pg-fault restart      # a real `pg_ctlcluster … restart`

1. worker — SIGKILL a gunicorn worker in the middle of a complaint update (an OPD follow-up): a
   second connection holds a lock on ``complaint_event`` so the update is caught half-way inside its
   transaction; the worker dies there. Expect: no partial write (complaint, follow-ups and events as
   before), the master starts a new worker, and a retry succeeds exactly once.
2. postgres — cut PostgreSQL during ``flask --app portal import-lapor`` of a generated export.
   ``--pg-fault terminate`` (default: kills only the import's server process, harmless to other users
   of the cluster) or ``restart`` (``pg_ctlcluster <version> <cluster> restart`` of the local cluster).
   Expect: the import exits non-zero with no complaint written; a re-run creates every row; a third run
   changes nothing (idempotent).
3. redis — a private ``redis-server`` on a free loopback port backs the portal (rate limits on, cache,
   jobs); it is stopped in the middle of a wrk run. Expect: zero failed requests, /healthz says
   ``redis: error`` without details, and an e-mail queued afterwards is in the outbox table.

Prints a Markdown table of the outcomes (also in bench/out/faults-<date>.md).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench import common, seed

SIZE = 2000  # complaints in the scratch database (portal_bench_2k)
OPD_USER = ("dpupr@demo.lapor.id", "Demo-Lapor-2026")


def _engine(url: str):
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def _snapshot(conn, cid: int) -> tuple:
    row = conn.execute(sa.text("SELECT status, version, updated_at FROM complaint WHERE id = :i"), {"i": cid}).one()
    fu = conn.scalar(sa.text("SELECT COUNT(*) FROM followup WHERE complaint_id = :i"), {"i": cid})
    ev = conn.scalar(sa.text("SELECT COUNT(*) FROM complaint_event WHERE complaint_id = :i"), {"i": cid})
    return (*row, fu, ev)


def _opener_with_cookie(cookie: str):
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", cookie)]
    return opener


# --- 1. worker killed mid-update ---------------------------------------------------------------------

def worker_kill(url: str) -> tuple[str, str]:
    eng = _engine(url)
    with eng.connect() as conn:
        cid, tracking = conn.execute(sa.text(
            "SELECT c.id, c.tracking_no FROM complaint c JOIN opd o ON o.id = c.opd_id "
            "WHERE o.code = 'DPUPR' AND c.status = 'belum_ditindaklanjuti' ORDER BY c.id LIMIT 1")).one()
        before = _snapshot(conn, cid)
    with common.gunicorn("portal:create_app()", common.portal_env(url), workers=1) as (base, proc):
        cookie = common.sign_in(base, *OPD_USER)
        if not cookie:
            return "n/a", "could not sign in as the DPUPR liaison"
        page = _opener_with_cookie(cookie).open(f"{base}/admin/opd/laporan/{tracking}", timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        version = re.search(r'name="version"[^>]*value="([^"]*)"', page)
        if not token:
            return "n/a", "follow-up form not found"
        data = urllib.parse.urlencode({"csrf_token": token.group(1), "version": version.group(1) if version else "",
                                       "text": "Sudah ditinjau tim teknis (uji gangguan).",
                                       "status": "proses"}).encode()
        post_url = f"{base}/admin/opd/laporan/{tracking}/tindak-lanjut"
        outcome: dict = {}

        def post():
            try:
                outcome["status"] = _opener_with_cookie(cookie).open(post_url, data, timeout=60).status
            except Exception as exc:  # the worker dies under the request: that is the point
                outcome["status"] = type(exc).__name__

        lock_eng = sa.create_engine(url)
        locker = lock_eng.connect()
        tx = locker.begin()
        locker.execute(sa.text("LOCK TABLE complaint_event IN EXCLUSIVE MODE"))
        t = threading.Thread(target=post, daemon=True)
        t.start()
        blocked = False
        deadline = time.monotonic() + 15
        with eng.connect() as watch:
            while time.monotonic() < deadline and not blocked:
                blocked = bool(watch.scalar(sa.text(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")))
                time.sleep(0.05)
        workers = common.worker_pids(proc.pid)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        tx.rollback()
        locker.close()
        lock_eng.dispose()
        t.join(30)
        time.sleep(1.0)
        with eng.connect() as conn:
            after_kill = _snapshot(conn, cid)
        # the master replaces the worker; the same form, resubmitted, now goes through once
        deadline = time.monotonic() + 30
        retry = None
        while time.monotonic() < deadline:
            try:
                retry = _opener_with_cookie(cookie).open(post_url, data, timeout=60).status
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        with eng.connect() as conn:
            after_retry = _snapshot(conn, cid)
    eng.dispose()
    ok = blocked and after_kill == before and after_retry[3] == before[3] + 1 and retry == 200
    detail = (f"caught mid-transaction: {blocked}; request → {outcome.get('status')}; "
              f"(status, version, follow-ups, events) before {before[0]}/{before[1]}/{before[3]}/{before[4]}, "
              f"after kill {after_kill[0]}/{after_kill[1]}/{after_kill[3]}/{after_kill[4]}, after retry "
              f"{after_retry[0]}/{after_retry[1]}/{after_retry[3]}/{after_retry[4]}")
    return ("PASS" if ok else "FAIL"), detail


# --- 2. PostgreSQL cut during an import --------------------------------------------------------------

def _write_export(path: Path, n: int, start: int) -> None:
    opds = ["DPUPR", "DINKES", "DINDIKBUD", "DINSOS", "DISHUB", "BAPENDA"]
    header = ["ID Laporan", "Tanggal Laporan", "Judul", "Isi Laporan", "Kategori", "Jenis", "Sumber", "Status",
              "Instansi Tujuan", "Nama Pelapor", "NIK", "No HP", "Email Pelapor", "Jenis Kelamin", "Lokasi",
              "Tanggal Verifikasi", "Tanggal Disposisi", "Batas Hari Kerja"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(n):
            day = dt.date(2025, 1, 2) + dt.timedelta(days=i % 300)
            w.writerow([str(start + i), f"{day} 09:{i % 60:02d}", f"Uji gangguan {i}",
                        "Jalan berlubang di depan pasar.", "", "Pengaduan", "Website", "Belum Ditindaklanjuti",
                        opds[i % len(opds)], f"Warga {i}",
                        f"{3601000000000000 + i}", f"0813{i:08d}", "", "L", "Kab. Serang", f"{day} 10:00",
                        f"{day} 11:00", "14"])


def _cluster() -> list[str]:
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout.split()
    return out[:2]  # version, cluster


def pg_cut(url: str, n: int, mode: str) -> tuple[str, str]:
    if not (common.ROOT / "portal" / "complaints" / "importing" / "runs.py").exists():
        return "n/a", "import-lapor is not available yet"
    eng = _engine(url)
    count = lambda: eng.connect().execute(sa.text("SELECT COUNT(*) FROM complaint")).scalar()  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "lapor_fault.csv"
        start = 9_100_000 + int(time.time()) % 100_000 * 10
        _write_export(export, n, start)
        env = common.portal_env(url)
        cmd = [str(common.VENV_BIN / "flask"), "--app", "portal", "import-lapor", str(export)]
        before = count()
        proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        hit = False
        deadline = time.monotonic() + 120
        with eng.connect() as watch:
            while proc.poll() is None and time.monotonic() < deadline:
                busy = watch.execute(sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND (state = 'idle in transaction' OR query ILIKE 'INSERT%' OR query ILIKE 'UPDATE%')")
                ).scalars().all()
                if busy:
                    break
                time.sleep(0.05)
        time.sleep(0.5)  # well inside the import's transaction
        if proc.poll() is None:
            hit = True
            if mode == "restart":
                version, cluster = _cluster()
                subprocess.run(["pg_ctlcluster", version, cluster, "restart"], check=True, timeout=120)
            else:
                with eng.connect() as conn:
                    conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        out1 = proc.communicate(timeout=300)[0]
        eng.dispose()
        for _ in range(60):  # the server may still be starting after a restart
            try:
                after_fault = count()
                break
            except sa.exc.OperationalError:
                time.sleep(1)
        t0 = time.perf_counter()
        run2 = subprocess.run(cmd, cwd=common.ROOT, env=env, capture_output=True, text=True, timeout=900)
        secs2 = time.perf_counter() - t0
        after2 = count()
        run3 = subprocess.run(cmd, cwd=common.ROOT, env=env, capture_output=True, text=True, timeout=900)
        after3 = count()
    eng.dispose()
    last = lambda s: (s.strip().splitlines() or ["-"])[-1][:160]  # noqa: E731
    ok = (hit and proc.returncode != 0 and after_fault == before and run2.returncode == 0
          and after2 == before + n and run3.returncode == 0 and after3 == after2)
    detail = (f"{n} rows, fault={mode} {'during' if hit else 'AFTER (missed)'} the import; first run exit "
              f"{proc.returncode} ({last(out1)}); complaints {before} → {after_fault} after the fault; re-run exit "
              f"{run2.returncode} in {secs2:.1f} s ({last(run2.stdout)}) → {after2}; third run ({last(run3.stdout)})"
              f" → {after3}")
    return ("PASS" if ok else "FAIL"), detail


# --- 3. Redis stopped under load -----------------------------------------------------------------------

MULTI_LUA = r"""
paths = {"/", "/api/v1/stats", "/login"}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"""


def redis_stop(url: str, seconds: int = 20) -> tuple[str, str]:
    port = common.free_port()
    redis_proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    redis_url = f"redis://127.0.0.1:{port}/0"
    try:
        time.sleep(0.5)
        env = common.portal_env(url, REDIS_URL=redis_url, RATELIMIT_ENABLED="true", RATELIMIT_PUBLIC="1000000/minute")
        with common.gunicorn("portal:create_app()", env, keep_log=common.OUT / "faults-redis-gunicorn.log") as (
                base, _proc):
            health_before = common.status_of(base + "/healthz")
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
                f.write(MULTI_LUA + common.WRK_LUA)
                script = f.name
            wrk = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout=10s", "-s", script, base + "/"],
                                   stdout=subprocess.PIPE, text=True)
            time.sleep(seconds / 3)
            redis_proc.terminate()
            redis_proc.wait(10)
            out = wrk.communicate(timeout=seconds + 60)[0]
            Path(script).unlink(missing_ok=True)
            import json

            m = re.search(r"WRKJSON (\{.*\})", out)
            fig = json.loads(m.group(1)) if m else {}
            try:
                body = urllib.request.urlopen(base + "/healthz", timeout=10).read().decode()  # noqa: S310
                health_after = 200
            except urllib.error.HTTPError as exc:
                health_after, body = exc.code, exc.read().decode()
            pages = [common.status_of(base + p) for p in ("/", "/api/v1/stats", "/login")]
        outbox = _queue_mail_with_dead_redis(url, redis_url)
    finally:
        if redis_proc.poll() is None:
            redis_proc.kill()
    failures = fig.get("errors", 1) + fig.get("non2xx", 1)
    ok = (failures == 0 and all(p == 200 for p in pages) and '"redis":"error"' in body.replace(" ", "")
          and "127.0.0.1" not in body and outbox)
    detail = (f"healthz before {health_before}; wrk {seconds} s × 32 connections, Redis stopped at {seconds // 3} s: "
              f"{fig.get('requests')} requests, {fig.get('rps')} req/s, p95 {fig.get('p95_ms')} ms, "
              f"{failures} failed ({fig.get('errors')} socket, {fig.get('non2xx')} non-2xx); "
              f"afterwards pages {pages}, /healthz {health_after} {body.strip()}; "
              f"e-mail queued with Redis down is in the outbox: {outbox}")
    return ("PASS" if ok else "FAIL"), detail


def _queue_mail_with_dead_redis(url: str, redis_url: str) -> bool:
    from portal import create_app
    from portal.core.mail import queue_email
    from portal.core.models import OutboxMessage
    from portal.extensions import db

    app = create_app({**seed.bench_config(url), "REDIS_URL": redis_url})
    with app.app_context():
        msg = queue_email("warga@contoh.id", "Uji gangguan Redis", "Isi.", kind="fault-drill")
        db.session.commit()
        found = db.session.get(OutboxMessage, msg.id) is not None
        db.session.delete(db.session.get(OutboxMessage, msg.id))
        db.session.commit()
        db.engine.dispose()
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("drills", nargs="*", default=["worker", "postgres", "redis"])
    ap.add_argument("--pg-fault", choices=["terminate", "restart"], default="terminate")
    ap.add_argument("--rows", type=int, default=20000, help="rows in the generated export")
    args = ap.parse_args()
    if not common.ensure_wrk():
        sys.exit("wrk is not available")
    url = seed.ensure("postgresql", SIZE, echo=lambda m: print(m, file=sys.stderr))
    drills = {"worker": ("kill a gunicorn worker mid-update", lambda: worker_kill(url)),
              "postgres": (f"PostgreSQL {args.pg_fault} during import-lapor",
                           lambda: pg_cut(url, args.rows, args.pg_fault)),
              "redis": ("stop Redis under load", lambda: redis_stop(url))}
    lines = [f"Fault drills {dt.date.today().isoformat()} · {common.machine()}", "",
             "| drill | result | details |", "|---|---|---|"]
    for name in args.drills:
        title, fn = drills[name]
        try:
            result, detail = fn()
        except Exception as exc:
            result, detail = "ERROR", f"{type(exc).__name__}: {exc}"[:400]
        print(f"  {title}: {result} — {detail}", file=sys.stderr)
        lines.append(f"| {title} | {result} | {detail} |")
    text = "\n".join(lines)
    print(text)
    common.OUT.mkdir(parents=True, exist_ok=True)
    (common.OUT / f"faults-{dt.datetime.now():%Y%m%d-%H%M}.md").write_text(text + "\n")


if __name__ == "__main__":
    main()

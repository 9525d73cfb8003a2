"""Shared helpers for the bench scripts: gunicorn on loopback, a signed-in cookie, wrk runs.

Everything targets 127.0.0.1 only, and every load run is bounded in time.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
KOMINFO = ("kominfo@demo.lapor.id", "Demo-Lapor-2026")

WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.2f, ' ..
    '"p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str | None:
    """wrk from Debian's packages (installed here, never in ``make test``); ``None`` if unavailable."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False)
    return shutil.which("wrk")


def portal_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))}
    env.update({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": "false", "SECRET_KEY": "bench-secret",
                "MAIL_ENABLED": "false", "ACCESS_LOG": "0", "PYTHONPATH": str(ROOT)})
    # worker recycling: gunicorn.conf.py's own setting (what production runs), not overridden here
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], port: int | None = None, ready_path: str = "/healthz",
             workers: int | None = None, keep_log: Path | None = None):
    """gunicorn with the project's gunicorn.conf.py on 127.0.0.1; yields (base_url, Popen)."""
    port = port or free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app_spec],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(log.name).read_text()[-2000:]}")
            try:
                urllib.request.urlopen(base + ready_path, timeout=5).read()  # noqa: S310 - loopback only
                break
            except urllib.error.HTTPError:
                break  # it answers (e.g. 503 from /healthz with Redis down)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 60 s") from None
                time.sleep(0.3)
        yield base, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()
        if keep_log:
            keep_log.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log.name, keep_log)
        Path(log.name).unlink(missing_ok=True)


def worker_pids(master_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True, check=False).stdout
    return [int(x) for x in out.split()]


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def status_of(url: str, cookie: str | None = None) -> int:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - loopback only
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def sign_in(base: str, email: str, password: str) -> str | None:
    """Sign in through the real form (CSRF included); the ``Cookie`` header value, or None."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login", timeout=30).read().decode()
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = {"email": email, "password": password}
    if m:
        data["csrf_token"] = m.group(1)
    try:
        opener.open(base + "/login", urllib.parse.urlencode(data).encode(), timeout=60).read()
    except urllib.error.HTTPError:
        return None
    cookies = [f"{c.name}={c.value}" for c in jar if c.name == "session"]
    return cookies[0] if cookies else None


def wrk(url: str, seconds: int = 10, connections: int = 16, threads: int = 2, cookie: str | None = None,
        timeout: int = 10, paths: list[str] | None = None) -> dict:
    """One bounded wrk run against a loopback URL; its figures as a dict.

    ``paths``: a mixed load — each request takes the next of these paths (round robin per thread).
    """
    assert url.startswith(("http://127.0.0.1", "http://localhost")), "loopback only"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        if paths:
            quoted = ", ".join(json.dumps(p) for p in paths)
            f.write(f"local paths = {{{quoted}}}\nlocal i = 0\n"
                    "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")
        f.write(WRK_LUA)
        script = f.name
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s", "-s", script]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=False).stdout
    finally:
        Path(script).unlink(missing_ok=True)
    m = re.search(r"WRKJSON (\{.*\})", out)
    if not m:
        return {"error": out[-500:]}
    return json.loads(m.group(1))


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB RAM"

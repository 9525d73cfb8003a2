"""The nginx micro-cache (deploy/nginx) with Debian's nginx in front of a live test server.

deploy/nginx/portal.conf is rendered for a loopback port (no TLS, paths in a temp prefix) and nginx runs
in the foreground; ``make system-deps`` installs it. The checks: an anonymous page is served from the
cache on the second request, a session or remember cookie goes past the cache, what the app did not mark
public is never stored, and the app's security headers survive the cache.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from portal.core.security import HEADERS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/portal.conf no longer has {old!r}: update the test's rendering"
    return text.replace(old, new)


def render(prefix: Path, app_port: int, port: int) -> Path:
    """deploy/nginx's files for a test: plain HTTP on ``port`` in front of ``app_port``, under ``prefix``."""
    conf = (DEPLOY / "portal.conf").read_text()
    conf = _replace(conf, "server 127.0.0.1:8000 ", f"server 127.0.0.1:{app_port} ")
    conf = _replace(conf, "listen 80;", f"listen 127.0.0.1:{_free_port()};")
    conf = _replace(conf, "listen 443 ssl;", f"listen 127.0.0.1:{port};")
    conf = "\n".join(line for line in conf.splitlines()
                     if not line.strip().startswith(("ssl_", "http2 ")))
    conf = _replace(conf, "/var/cache/nginx/portal", str(prefix / "cache"))
    conf = _replace(conf, "/var/log/nginx/portal.access.log", str(prefix / "access.log"))
    conf = _replace(conf, "/srv/portal/static/", str(ROOT / "static") + "/")
    conf = _replace(conf, "/etc/nginx/", str(prefix) + "/")
    for name in ("portal_proxy_params", "portal_micro_cache"):
        shutil.copy(DEPLOY / name, prefix / name)
    (prefix / "portal.conf").write_text(conf)
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi"))
    main = prefix / "nginx.conf"
    main.write_text(f"""daemon off;
master_process off;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
{temp}
    include {prefix / 'portal.conf'};
}}
""")
    return main


@pytest.fixture
def nginx(live_server, tmp_path):
    assert Path(NGINX).exists(), "Debian's nginx is needed: make system-deps"
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = _free_port()
    main = render(prefix, int(live_server.url.rsplit(":", 1)[1]), port)
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(main), "-e", str(prefix / "error.log")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(main), "-e", str(prefix / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (prefix / "error.log").read_text()
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def _get(url: str, **headers):
    req = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback only
        return resp.status, resp.headers, resp.read()


def test_anonymous_pages_come_from_the_micro_cache(nginx, live_server):
    direct = _get(live_server("/api/v1/stats"))
    _get(nginx + "/")  # warm the app's own cache, then nginx's
    first = _get(nginx + "/api/v1/stats")
    second = _get(nginx + "/api/v1/stats")
    assert first[1]["X-Cache-Status"] in ("MISS", "HIT", "EXPIRED")
    assert second[0] == 200 and second[1]["X-Cache-Status"] == "HIT"
    assert second[2] == direct[2]
    for name, value in HEADERS:  # the app's security headers survive the cache
        assert second[1][name] == value, name
    page = [_get(nginx + "/laporan") for _ in range(2)][1]
    assert page[1]["X-Cache-Status"] == "HIT" and page[1]["Content-Security-Policy"]


@pytest.mark.parametrize("cookie", ["session=x", "a=1; remember_token=y"])
def test_a_session_or_remember_cookie_goes_past_the_cache(nginx, cookie):
    for _ in range(2):
        _get(nginx + "/api/v1/stats")
    status, headers, _body = _get(nginx + "/api/v1/stats", Cookie=cookie)
    assert status == 200 and headers["X-Cache-Status"] == "BYPASS"


def test_what_the_app_did_not_mark_public_is_never_stored(nginx):
    for _ in range(3):  # a search is not page-cached by the app: no "public", so nginx stores nothing
        status, headers, _body = _get(nginx + "/laporan?q=jalan")
    assert status == 200 and "public" not in headers.get("Cache-Control", "")
    assert headers["X-Cache-Status"] == "MISS"

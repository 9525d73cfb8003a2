"""Browser fixtures: the app on a live server and headless Debian Chromium through Playwright.

``live_server`` serves its own app on its own SQLite file in a thread, with CSRF on and jobs run at once;
``page`` and ``phone_page`` run a test with JavaScript on and, as a second run, off; ``axe_violations``
runs axe-core on the current page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import create_app
from portal.core import cache
from portal.extensions import db
from tests.support.database import base_config

AXE_JS = Path(__file__).resolve().parent.parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


class LiveServer:
    def __init__(self, app, url):
        self.app = app
        self.url = url

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(tmp_path):
    """The app served on a free loopback port in a thread, on its own SQLite file."""
    import threading

    from werkzeug.serving import make_server

    config = base_config(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)
    config["TESTING"] = False  # real behaviour: CSRF on, jobs in threads
    config["WTF_CSRF_ENABLED"] = True
    config["JOBS_EAGER"] = True
    application = create_app(config)
    with application.app_context():
        db.create_all()
        cache.clear_local()  # a new database: nothing another test's app cached in this process applies
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(application, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()
        pw.stop()


def _context(chromium, js: bool, mobile: bool):
    opts = {"java_script_enabled": js, "bypass_csp": True, "locale": "id-ID"}
    if mobile:
        opts.update(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    return chromium.new_context(**opts)


def _page(chromium, js: bool, *, mobile: bool):
    ctx = _context(chromium, js, mobile=mobile)
    pg = ctx.new_page()
    pg.js_enabled = js
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def page(request, chromium):
    """A page with JavaScript on and, as a second run, off."""
    yield from _page(chromium, request.param, mobile=False)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def phone_page(request, chromium):
    """A 360 px wide phone page, with JavaScript on and off."""
    yield from _page(chromium, request.param, mobile=True)


@pytest.fixture
def js_page(chromium):
    ctx = _context(chromium, True, mobile=False)
    pg = ctx.new_page()
    try:
        yield pg
    finally:
        ctx.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page (needs JavaScript); violations of the given impact."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def browser_login(page, live: LiveServer, email: str, password: str) -> None:
    page.goto(live("/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()

"""The cache fast path (``pagecache.FastPath``): anonymous hits answered before Flask, same answer as Flask.

Each test swaps the Flask application behind the middleware for a recorder, so it can tell which
requests the fast path answered on its own and which it handed on.
"""

from __future__ import annotations

import io
import json
import logging

import flask_babel
import pytest

from portal.core import cache
from portal.core.logs import _MARK
from portal.extensions import db
from portal.public.pagecache import FastPath
from tests.conftest import login

CACHED = ["/", "/lacak/{no}", "/api/v1/stats", "/api/v1/stats/opd", "/api/v1/complaints/{no}", "/opd/{opd}"]


class Recorder:
    """Stands in for Flask behind the fast path: counts what reached it, then lets Flask answer."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def __call__(self, environ, start_response):
        self.calls.append(environ["PATH_INFO"])
        return self.inner(environ, start_response)


@pytest.fixture
def flask_side(app):
    fast = app.wsgi_app
    assert isinstance(fast, FastPath)
    recorder = Recorder(fast.wsgi_app)
    fast.wsgi_app = recorder
    yield recorder
    fast.wsgi_app = recorder.inner


@pytest.fixture
def tracked(make):
    opd = make.opd(code="DPUPR")
    c = make.complaint(tracking_no="7770001", opd=opd, status="proses", title="Jalan berlubang")
    db.session.commit()
    return c


def _same_headers(a, b) -> None:
    skip = {"X-Request-ID", "Date"}
    assert {k: v for k, v in a.headers.items() if k not in skip} == \
        {k: v for k, v in b.headers.items() if k not in skip}


@pytest.mark.parametrize("url", CACHED)
def test_a_cached_page_is_answered_before_flask_with_the_same_response(client, flask_side, tracked, url):
    url = url.format(no=tracked.tracking_no, opd="DPUPR")
    first = client.get(url)
    assert first.status_code == 200 and flask_side.calls == [url.split("?")[0]]
    again = client.get(url)
    assert flask_side.calls == [url.split("?")[0]], "the hit reached Flask"
    assert again.status_code == 200 and again.get_data() == first.get_data()
    _same_headers(first, again)
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                 "ETag", "Last-Modified", "X-Request-ID"):
        assert again.headers[name]
    assert again.headers["Cache-Control"] == "public, no-cache"
    assert int(again.headers["Content-Length"]) == len(again.get_data())
    assert "Date" not in first.headers and "Date" not in again.headers  # the server adds one, once


def test_conditional_and_head_requests_on_a_hit(client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    first = client.get(url)
    r = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert r.status_code == 304 and r.get_data() == b"" and r.headers["ETag"] == first.headers["ETag"]
    r = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert r.status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Length"] == first.headers["Content-Length"]
    assert flask_side.calls == [url]


def test_a_request_id_from_the_proxy_is_echoed(client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)
    assert client.get(url, headers={"X-Request-ID": "abc123"}).headers["X-Request-ID"] == "abc123"
    assert client.get(url, headers={"X-Request-ID": "no spaces!"}).headers["X-Request-ID"] != "no spaces!"
    assert flask_side.calls == [url]


def test_fragments_and_languages_are_separate_entries(client, flask_side, tracked):
    page = client.get("/")
    fragment = client.get("/", headers={"HX-Request": "true"})
    flask_babel.refresh()  # tests share one app context; a real request starts without a locale
    english = client.get("/?lang=en")
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert client.get("/", headers={"HX-Request": "true"}).get_data() == fragment.get_data()
    assert client.get("/?lang=en").get_data() == english.get_data()
    assert client.get("/").get_data() == page.get_data()
    # a boosted navigation wants the whole page: the page's entry, not the fragment's
    assert client.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"}).get_data() == page.get_data()
    assert flask_side.calls == ["/", "/", "/"]


def test_a_change_reaches_the_next_request(client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    assert "Jalan berlubang" in client.get(url).get_data(as_text=True)
    tracked.title = "Jalan berlubang besar"
    db.session.commit()
    assert "Jalan berlubang besar" in client.get(url).get_data(as_text=True)
    assert flask_side.calls == [url, url]


def test_a_change_reaches_a_page_the_fast_path_was_serving(client, flask_side, tracked):
    url = f"/api/v1/complaints/{tracked.tracking_no}"
    assert client.get(url).json["title"] == "Jalan berlubang"
    assert client.get(url).json["title"] == "Jalan berlubang"  # fast path: now held decoded in memory
    tracked.title = "Jalan amblas"
    db.session.commit()
    assert client.get(url).json["title"] == "Jalan amblas"
    assert flask_side.calls == [url, url]


def test_renaming_an_opd_reaches_cached_pages_at_once(client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    old = tracked.opd.name
    assert old in client.get(url).get_data(as_text=True)
    client.get(url)
    tracked.opd.name = "Dinas PUPR (nama baru)"
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Dinas PUPR (nama baru)" in html and old not in html


def test_another_workers_write_is_seen_through_the_shared_generation(app, client, flask_side, tracked):
    """A bump of the generation (another worker's commit: shared through the file cache or Redis, see
    tests/public/test_caching.py) makes the next request miss."""
    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)
    client.get(url)
    assert flask_side.calls == [url]
    cache.bump_generation()
    client.get(url)
    assert flask_side.calls == [url, url]


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_session_or_remember_cookie_goes_to_flask(client, flask_side, tracked, cookie):
    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)
    client.set_cookie(cookie, "x")
    client.get(url)
    assert flask_side.calls == [url, url]


def test_signed_in_users_never_get_the_anonymous_copy(client, flask_side, make, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    anon = client.get(url)
    login(client, make.user("kominfo"))
    r = client.get(url)
    assert r.headers["Cache-Control"] == "no-store" and r.get_data() != anon.get_data()
    assert flask_side.calls.count(url) == 2


def test_pages_that_are_not_cached_always_reach_flask(client, flask_side, tracked):
    for url in ("/laporan?q=jalan", "/laporan?q=jalan", "/lacak", "/lacak", "/data", "/tidak-ada", "/tidak-ada"):
        client.get(url)
    assert flask_side.calls == ["/laporan", "/laporan", "/lacak", "/lacak", "/data", "/tidak-ada", "/tidak-ada"]
    client.post(f"/lacak/{tracked.tracking_no}")  # 405 from Flask, not a cached page
    assert flask_side.calls[-1] == f"/lacak/{tracked.tracking_no}"


@pytest.mark.app_config(PUBLIC_PAGE_CACHE=False)
def test_switched_off(client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)
    client.get(url)
    assert flask_side.calls == [url, url]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="3/minute")
def test_hits_count_against_the_shared_public_limit(client, flask_side, tracked):
    url = f"/api/v1/complaints/{tracked.tracking_no}"
    assert client.get(url).status_code == 200  # Flask: counted by Flask-Limiter
    assert client.get(url).status_code == 200  # fast path: counted on the same counter
    assert client.get("/api/v1/stats").status_code == 200  # Flask again
    assert flask_side.calls == [url, "/api/v1/stats"]
    r = client.get(url)
    # Retry-After: the seconds left in the minute's window (Flask-Limiter's header), so 1–60
    assert r.status_code == 429 and r.is_json and 1 <= int(r.headers["Retry-After"]) <= 60
    assert flask_side.calls[-1] == url  # over the limit: Flask answers in the endpoint's format
    # the dashboard is cached but not under the public limit: still served
    assert client.get("/").status_code == 200 and client.get("/").status_code == 200


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="2/minute")
def test_each_address_has_its_own_counter(client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    for _ in range(2):
        assert client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


@pytest.mark.app_config(HSTS_ENABLED=True)
def test_hsts_only_over_https(client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)
    assert "Strict-Transport-Security" not in client.get(url).headers
    secure = client.get(url, base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"]
    assert client.get(url, base_url="https://localhost").headers["Strict-Transport-Security"]


@pytest.mark.app_config(LOG_JSON=True)
def test_a_hit_writes_the_request_log_line_without_the_query(app, client, flask_side, tracked):
    handler = next(h for h in logging.getLogger().handlers if getattr(h, _MARK, False))
    buf = io.StringIO()
    handler.setStream(buf)
    url = "/api/v1/stats?from=2020-01-01"
    client.get(url)
    client.get(url, headers={"X-Request-ID": "fast1"})
    handler.flush()
    assert flask_side.calls == ["/api/v1/stats"]
    lines = [json.loads(x) for x in buf.getvalue().splitlines() if x.strip()]
    fast = [rec for rec in lines if rec["logger"] == "portal.request" and rec["request_id"] == "fast1"]
    assert len(fast) == 1 and fast[0]["path"] == "/api/v1/stats" and fast[0]["status"] == 200
    assert "2020-01-01" not in buf.getvalue()


@pytest.mark.app_config(PROXY_FIX=1, RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="2/minute", HSTS_ENABLED=True)
def test_behind_the_proxy_the_fast_path_sees_the_client(app, make):
    """ProxyFix wraps the fast path: the limit counts per forwarded client and HSTS follows the proxy's scheme."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert isinstance(app.wsgi_app, ProxyFix) and isinstance(app.wsgi_app.app, FastPath)
    make.complaint(tracking_no="7770009")
    db.session.commit()
    client = app.test_client()
    url = "/lacak/7770009"

    def get(addr: str):
        return client.get(url, headers={"X-Forwarded-For": addr, "X-Forwarded-Proto": "https"})

    assert get("203.0.113.1").status_code == 200  # Flask renders and stores
    hit = get("203.0.113.1")  # the fast path
    assert hit.status_code == 200 and hit.headers["Strict-Transport-Security"]
    assert get("203.0.113.1").status_code == 429  # the same client's third request
    assert get("203.0.113.2").status_code == 200  # another client behind the same proxy


# --- the in-memory memo of prepared answers (cache.Memo) -------------------------------------------------

def test_a_hit_is_answered_from_memory_without_reading_the_shared_cache(app, client, flask_side, tracked,
                                                                       monkeypatch):
    url = f"/lacak/{tracked.tracking_no}"
    first = client.get(url)
    client.get(url)  # the first fast-path hit decodes the entry and keeps it in memory
    with app.app_context():
        assert len(cache.memo()) == 1
    reads = []
    monkeypatch.setattr(cache, "get", lambda key, shared=False: reads.append(key))
    again = client.get(url)
    assert reads == [] and again.get_data() == first.get_data()
    assert flask_side.calls == [url]


def test_the_memo_follows_the_shared_entrys_expiry(app, client, flask_side, tracked, monkeypatch):
    import time as time_mod

    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)
    client.get(url)
    later = time_mod.time() + int(app.config.get("STATS_CACHE_SECONDS", 30)) + 1
    monkeypatch.setattr(cache.time, "time", lambda: later)
    monkeypatch.setattr(cache, "get", lambda key, shared=False: None)  # the shared entry has expired too
    client.get(url)
    assert flask_side.calls == [url, url], "an expired memo answered"


def test_the_memo_is_bounded_by_bytes(app, client, flask_side, tracked, monkeypatch):
    with app.app_context():
        state = app.extensions["portal_cache_state"]
        # smaller than a page: nothing is kept, every hit reads the cache
        monkeypatch.setattr(state, "memo", cache.Memo(2048))
        url = f"/lacak/{tracked.tracking_no}"
        client.get(url)
        assert client.get(url).status_code == 200 and client.get(url).status_code == 200
        assert len(cache.memo()) == 0
        monkeypatch.setattr(state, "memo", cache.Memo(0))  # PAGE_MEMO_BYTES=0: off
        assert client.get(url).status_code == 200 and len(cache.memo()) == 0
    assert flask_side.calls == [url]


def test_forgetting_this_process_forgets_the_memo(app, client, flask_side, tracked):
    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)
    client.get(url)
    with app.app_context():
        cache.clear_local()
        assert len(cache.memo()) == 0


def test_urls_of_cached_views_are_matched_once_and_nothing_else_is_remembered(app, client, flask_side, tracked,
                                                                             monkeypatch):
    calls = []
    real = app.url_map.bind_to_environ
    monkeypatch.setattr(app.url_map, "bind_to_environ", lambda *a, **k: calls.append(1) or real(*a, **k))
    url = f"/lacak/{tracked.tracking_no}"
    client.get(url)  # fast path (matches) then Flask (matches again)
    matched = len(calls)
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert len(calls) == matched, "a hit matched the URL again"
    fast = app.wsgi_app
    for _ in range(2):
        assert client.get("/tidak-ada-halaman").status_code == 404
    assert "/tidak-ada-halaman" not in {token[3] for token in fast._routes}, "a miss was remembered"
    long_path = "/lacak/" + "7" * 600  # a cached view, but too long a URL to remember
    client.get(long_path)
    client.get(long_path)
    assert long_path not in {token[3] for token in fast._routes}
    assert url in {token[3] for token in fast._routes}


def test_head_and_revalidation_answered_from_memory(app, client, flask_side, tracked, monkeypatch):
    url = f"/lacak/{tracked.tracking_no}"
    first = client.get(url)
    client.get(url)  # now held in memory
    monkeypatch.setattr(cache, "get", lambda key, shared=False: None)  # so only the memo can answer
    head = client.head(url)
    assert head.status_code == 200 and head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(first.get_data())
    r = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert r.status_code == 304 and r.get_data() == b"" and "Content-Type" not in r.headers
    assert r.headers["ETag"] == first.headers["ETag"]
    assert flask_side.calls == [url]


def test_after_expiry_one_request_renders_while_the_others_get_the_expired_copy(app, client, flask_side, tracked,
                                                                               monkeypatch):
    """Stale-while-revalidate in the worker: an expired page costs one render, not one per thread."""
    import time as time_mod

    url = f"/lacak/{tracked.tracking_no}"
    first = client.get(url)
    client.get(url)
    with app.app_context():
        app.extensions["portal_cache"].cache.clear()  # the shared entry has expired (the memo still holds it)
    later = time_mod.time() + int(app.config.get("STATS_CACHE_SECONDS", 30)) + 1
    monkeypatch.setattr(cache.time, "time", lambda: later)
    stored = []
    real_set = cache.set
    monkeypatch.setattr(cache, "set", lambda key, value, ttl, shared=False: stored.append(key)
                        or real_set(key, value, ttl))
    with app.app_context():
        full = next(iter(app.extensions["portal_cache_state"].memo._cache.keys()))
        assert cache.memo().claim(full)  # a thread of this worker is rendering the successor
    again = client.get(url)
    assert flask_side.calls == [url] and again.get_data() == first.get_data() and stored == []
    with app.app_context():
        app.extensions["portal_cache_state"].memo._claims.clear()  # its claim ran out (CLAIM_SECONDS)
    client.get(url)  # this one claims, goes to Flask, renders and stores a new entry
    assert flask_side.calls == [url, url] and len(stored) == 1
    renewed = client.get(url)
    assert flask_side.calls == [url, url], "the renewed entry was not served from the cache"
    assert renewed.headers["Last-Modified"] != first.headers["Last-Modified"]

"""Rendered public responses cached for anonymous visitors, with ETag/Last-Modified → 304.

Only ANONYMOUS requests are served from (or stored into) this cache: a signed-in user always gets a
freshly rendered response (``Cache-Control: no-store`` from :mod:`portal.core.security`), so one role's
view can never reach another. Entries are keyed by (endpoint, UI language, htmx fragment or page, path
with query string) and the data generation (:func:`portal.core.cache.generation`), so a change to any
complaint invalidates them; without Redis each worker keeps its own copy for ``STATS_CACHE_SECONDS``.

A response is stored only when it is a 200 that did not touch the session (no ``Set-Cookie``) — a
page that rendered a CSRF token or flashed a message is never shared.

Two ways in:

- :func:`anonymous_cache`, the view decorator: stores, and serves hits inside Flask;
- :class:`FastPath`, a WSGI middleware in front of Flask: a request without a session or remember
  cookie (so certainly anonymous, in the default language unless ``?lang=`` says otherwise) whose
  entry is cached is answered without Flask's request machinery — no session, user loader, locale
  selection or view dispatch — with the same headers (security headers, request id) and the same
  shared rate limit (``RATELIMIT_PUBLIC``) for the views under ``public_limit``. Anything else (a
  miss, a cookie, a breached limit) goes to Flask unchanged. This is what lets a cached tracking page
  answer at about the speed of a bare Flask endpoint (docs/BENCHMARKS.md). One difference: a hit
  answered here carries no ``X-RateLimit-*`` headers (reading the window back would cost a second
  storage call per request); the request still counts, and the 429 comes from Flask with them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from typing import Any
from urllib.parse import parse_qs

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, is_resource_modified, parse_cookie, quote_etag
from werkzeug.utils import get_content_type

from portal.core import cache, logs, security
from portal.core.auth import partial_request
from portal.public.limits import LIMITED_ATTR, within_public_limit

#: headers of the original response that are replayed from the cache
_KEEP = ("Content-Security-Policy", "Vary")
#: marks a view function as served by :func:`anonymous_cache` (read by :class:`FastPath`)
CACHED_ATTR = "portal_anonymous_cache"


def _cacheable() -> bool:
    if request.method != "GET" or not current_app.config.get("PUBLIC_PAGE_CACHE", True):
        return False
    if current_user.is_authenticated:
        return False
    return "_flashes" not in session


def cache_key(environ: dict, endpoint: str, locale: str) -> str:
    """The entry's key (without the generation), from the WSGI environ: the same inside and before Flask."""
    path = environ.get("PATH_INFO") or "/"
    query = environ.get("QUERY_STRING")
    part = "f" if partial_request(environ) else "p"
    return f"pub:page:{endpoint}:{locale}:{part}:{path}" + (f"?{query}" if query else "")


def _ttl() -> int:
    return int(current_app.config.get("STATS_CACHE_SECONDS", 30))


def _modified(entry: dict) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(entry["at"]), dt.UTC)


def _validators(entry: dict) -> list[tuple[str, str]]:
    """ETag, Last-Modified and Cache-Control of a cached response: store, but revalidate (cheap: 304)."""
    return [("ETag", quote_etag(entry["etag"])), ("Last-Modified", http_date(_modified(entry))),
            ("Cache-Control", "public, no-cache")]


def _replay(entry: dict, environ: dict) -> Response:
    resp = Response(entry["body"], status=200, mimetype=entry["mimetype"])
    for name, value in entry["headers"]:
        resp.headers.add(name, value)
    return _conditional(resp, entry, environ)


def _conditional(resp: Response, entry: dict, environ: dict) -> Response:
    for name, value in _validators(entry):
        resp.headers[name] = value
    resp = resp.make_conditional(environ)
    del resp.headers["Date"]  # make_conditional adds one; the server (gunicorn) sends its own
    return resp


def anonymous_cache(view):
    """Serve ``view``'s 200 responses to anonymous visitors from the cache (see the module doc)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        key = f"{cache_key(request.environ, request.endpoint or '', str(get_locale() or 'id'))}:g{cache.generation()}"
        entry = cache.get(key)
        if entry is not None:
            return _replay(entry, request.environ)
        resp = current_app.make_response(view(*args, **kwargs))
        if resp.status_code != 200 or resp.direct_passthrough or session.modified or "Set-Cookie" in resp.headers:
            return resp
        resp.vary.add("Cookie")  # what Flask's session adds after this: the fast path replays it too
        body = resp.get_data(as_text=True)
        entry = {
            "body": body,
            "mimetype": resp.mimetype,
            "headers": [(k, v) for k, v in resp.headers.items() if k in _KEEP],
            "etag": hashlib.blake2b(body.encode(), digest_size=12).hexdigest(),
            "at": time.time(),
        }
        cache.set(key, entry, _ttl())
        return _conditional(resp, entry, request.environ)

    setattr(wrapper, CACHED_ATTR, True)
    return wrapper


#: seconds a worker keeps a decoded entry of the fast path, and how many it keeps
MEMO_SECONDS = 2.0
MEMO_MAX = 512


class FastPath:
    """WSGI middleware answering anonymous cache hits before Flask (see the module doc).

    Installed by :func:`init_app` inside any ``ProxyFix``, so ``REMOTE_ADDR`` (the rate-limit key)
    and the scheme (HSTS) are the client's.
    """

    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._views: dict[str, bool] | None = None  # endpoint → under the public rate limit
        self._memo: dict[str, tuple[float, dict]] = {}  # key → (monotonic expiry, entry)

    def views(self) -> dict[str, bool]:
        """Endpoints served by :func:`anonymous_cache`, read once the blueprints are registered."""
        if self._views is None:
            self._views = {name: bool(getattr(fn, LIMITED_ATTR, False))
                           for name, fn in self.app.view_functions.items() if getattr(fn, CACHED_ATTR, False)}
        return self._views

    def __call__(self, environ: dict, start_response):
        started = time.perf_counter()
        hit = self._hit(environ) if environ.get("REQUEST_METHOD") in ("GET", "HEAD") else None
        if hit is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = hit
        if self.app.config.get("LOG_JSON"):
            with self.app.app_context():
                g.request_id = headers[-1][1]
                logs.log_request(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/", int(status[:3]),
                                 started, None)
        start_response(status, headers)
        return [body]

    def _hit(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        app = self.app
        config = app.config
        if not config.get("PUBLIC_PAGE_CACHE", True) or self._has_identity(environ):
            return None
        try:
            endpoint, _args = app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # not found, or a redirect (trailing slash): Flask answers
            return None
        limited = self.views().get(endpoint)
        if limited is None:
            return None
        with app.app_context():
            entry = self._entry(f"{cache_key(environ, endpoint, self._locale(environ))}:g{cache.generation()}")
            if entry is None or (limited and not self._within_limit(environ)):
                return None  # Flask renders (and stores) it, or answers the 429 in the endpoint's format
        return self._response(entry, environ)

    def _entry(self, key: str) -> dict | None:
        """The cached entry, decoded; kept in this process for ``MEMO_SECONDS`` (the key carries the
        data generation, so a change still shows at once) to spare a Redis round trip and a JSON parse."""
        now = time.monotonic()
        memo = self._memo.get(key)
        if memo is not None and memo[0] > now:
            return memo[1]
        entry = cache.get(key)
        if entry is not None:
            if len(self._memo) >= MEMO_MAX:
                self._memo.clear()
            self._memo[key] = (now + MEMO_SECONDS, entry)
        return entry

    def _response(self, entry: dict, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
        """Status, headers and body of a hit: what :func:`_replay` plus Flask's after-request hooks send."""
        own = {name.lower() for name, _ in entry["headers"]}
        secure = environ.get("wsgi.url_scheme") == "https"
        headers = [*entry["headers"], *_validators(entry),
                   *((name, value) for name, value in security.security_headers(self.app.config, secure)
                     if name.lower() not in own),
                   ("X-Request-ID", logs.request_id(environ.get("HTTP_X_REQUEST_ID", "")))]
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and not is_resource_modified(environ, etag=entry["etag"],
                                                    last_modified=_modified(entry)):
            return "304 NOT MODIFIED", headers, b""
        body = entry["body"].encode()
        headers[:0] = [("Content-Type", get_content_type(entry["mimetype"], "utf-8")),
                       ("Content-Length", str(len(body)))]
        return "200 OK", headers, b"" if environ["REQUEST_METHOD"] == "HEAD" else body

    def _has_identity(self, environ: dict) -> bool:
        """A session or remember cookie: maybe signed in, a flash or a chosen language — Flask decides."""
        raw = environ.get("HTTP_COOKIE")
        if not raw:
            return False
        names = parse_cookie(raw)
        config = self.app.config
        return (config["SESSION_COOKIE_NAME"] in names
                or config.get("REMEMBER_COOKIE_NAME", "remember_token") in names)

    def _locale(self, environ: dict) -> str:
        """:func:`portal.core.i18n.select_locale` for a request without a session."""
        config = self.app.config
        lang = parse_qs(environ.get("QUERY_STRING", "")).get("lang", [None])[0]
        return lang if lang in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]

    def _within_limit(self, environ: dict) -> bool:
        """Count the hit against the shared public limit, exactly as Flask-Limiter's ``public_limit`` does."""
        try:
            return within_public_limit(environ.get("REMOTE_ADDR") or "127.0.0.1")
        except Exception:  # storage down: let Flask-Limiter (with its in-memory fallback) decide
            return False


def init_app(app: Flask) -> None:
    """Put :class:`FastPath` in front of Flask (before ``ProxyFix`` wraps the app)."""
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]

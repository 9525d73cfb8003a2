"""Rendered public responses cached for anonymous visitors, with Werkzeug's ETag/304 handling.

Only ANONYMOUS requests are served from (or stored into) this cache: a signed-in user always gets a
freshly rendered response (``Cache-Control: no-store`` from :mod:`portal.core.security`), so one role's
view can never reach another. A response is stored only when it is a 200 that did not touch the
session (no ``Set-Cookie``): a page that rendered a CSRF token or flashed a message is never shared.

Entries live in the app's cache (:mod:`portal.core.cache`, Flask-Caching) under a CANONICAL key: the
endpoint, its path arguments, the UI language, page or htmx fragment, and only the query parameters
the view reads (``params``), normalised — dates as ``YYYY-MM-DD`` (or the reason they are invalid),
codes upper-cased, a sort order only when it is one the view knows. Unknown parameters and junk values
therefore never create entries. The key carries the data generation, so any change to a complaint
invalidates them. The body's hash is the ETag, its time Last-Modified (``Response.make_conditional``), so a
revalidating browser or the nginx micro-cache (deploy/nginx) gets a 304.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
import time
from typing import NamedTuple

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal.core import cache
from portal.core.htmx import partial_request

#: headers of the original response that are replayed from the cache
_KEEP = ("Content-Security-Policy", "Vary")
#: the query parameters a view reads when it does not say
DEFAULT_PARAMS = ("from", "to", "opd")
#: sort orders of the per-OPD table (:func:`portal.public.queries.sort_rows`)
SORTS = frozenset({"name", "total", "persen_tl", "rtl_hari", "rtl_median", "rv_hari", "rv_median", "rhp",
                   "selesai", "proses", "belum_ditindaklanjuti", "n_all"})


def _cacheable(skip: tuple[str, ...] = ()) -> bool:
    if request.method not in ("GET", "HEAD") or not current_app.config.get("PUBLIC_PAGE_CACHE", True):
        return False
    if any(request.args.get(name, "").strip() for name in skip):
        return False
    if current_user.is_authenticated:
        return False
    return "_flashes" not in session


def _param(name: str, value: str) -> str:
    """One query value in canonical form (a bounded set of spellings per parameter)."""
    from portal.public.queries import BadRequest, parse_date

    value = value.strip()
    if name in ("from", "to"):
        try:
            day = parse_date(value, name)
        except BadRequest as exc:
            return f"!{exc}"  # the view shows this message: one entry per kind of error
        return day.isoformat() if day else ""
    if name == "sort":
        return value if value.lstrip("-") in SORTS else "name"
    if name in ("hal", "kategori"):  # a page number or an id: digits, else what the view falls back to
        return str(min(int(value), 10_000)) if value.isdigit() else ""
    if name == "status":
        from portal.complaints.models import Status

        return value if value in {s.value for s in Status} else "!"
    return value.upper()[:40]


def canonical_key(endpoint: str, view_args: dict, args, locale: str, partial: bool,
                  params: tuple[str, ...], canon: dict | None = None) -> str:
    """The entry's key (without the generation): the same for every spelling of the same request.

    ``canon``: ``{parameter: function(value) -> canonical str}`` for a view's own parameters (Open311)."""
    canon = canon or {}
    path_args = ",".join(f"{k}={str(v).strip().upper()}" for k, v in sorted(view_args.items()))
    query = "&".join(f"{name}={canon.get(name, functools.partial(_param, name))(args.get(name, '').strip())}"
                     for name in params if args.get(name, "").strip())
    raw = f"{endpoint}:{locale}:{'f' if partial else 'p'}:{path_args}?{query}"
    return "pub:page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def cache_key(endpoint: str, params: tuple[str, ...], canon: dict | None = None) -> str:
    """:func:`canonical_key` of the current request."""
    return canonical_key(endpoint, request.view_args or {}, request.args, str(get_locale() or "id"),
                         partial_request(request.environ), params, canon)


def _ttl() -> int:
    return int(current_app.config.get("STATS_CACHE_SECONDS", 30))


def _replay(entry: dict):
    resp = current_app.response_class(entry["body"], status=200, mimetype=entry["mimetype"])
    for name, value in entry["headers"]:
        resp.headers.add(name, value)
    return _conditional(resp, entry)


def _conditional(resp, entry: dict):
    resp.set_etag(entry["etag"])
    resp.last_modified = dt.datetime.fromtimestamp(int(entry["at"]), dt.UTC)
    resp.headers["Cache-Control"] = "public, no-cache"  # store, but revalidate (cheap: 304)
    resp = resp.make_conditional(request)
    del resp.headers["Date"]  # make_conditional adds one; the server (gunicorn) sends its own
    return resp


def anonymous_cache(view=None, *, params: tuple[str, ...] = DEFAULT_PARAMS, skip: tuple[str, ...] = (),
                    canon: dict | None = None):
    """Serve ``view``'s 200 responses to anonymous visitors from the cache (see the module doc).

    ``params``: the query parameters the view reads; every other one is ignored by the key.
    ``skip``: parameters whose presence makes a request uncacheable (free-text search).
    ``canon``: canonical forms of parameters :func:`_param` does not know (:func:`canonical_key`).
    Use as ``@anonymous_cache`` or ``@anonymous_cache(params=(...))``.
    """
    if view is None:
        return functools.partial(anonymous_cache, params=params, skip=skip, canon=canon)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable(skip):
            return view(*args, **kwargs)
        key = f"{cache_key(request.endpoint or '', params, canon)}:g{cache.generation()}"
        entry = cache.get(key)
        if entry is not None:
            return _replay(entry)
        resp = current_app.make_response(view(*args, **kwargs))
        if resp.status_code != 200 or resp.direct_passthrough or session.modified or "Set-Cookie" in resp.headers:
            return resp
        resp.vary.add("Cookie")  # what Flask's session adds after this: a replayed copy carries it too
        body = resp.get_data(as_text=True)
        entry = {
            "body": body,
            "mimetype": resp.mimetype,
            "headers": [(k, v) for k, v in resp.headers.items() if k in _KEEP],
            "etag": hashlib.blake2b(body.encode(), digest_size=12).hexdigest(),
            "at": time.time(),
            "ttl": _ttl(),
        }
        cache.set(key, entry, _ttl())
        return _conditional(resp, entry)

    setattr(wrapper, CACHED_ATTR, (params, skip, canon))
    return wrapper


# --- the fast path --------------------------------------------------------------------------------

#: URLs longer than this (host + path) are matched each time, not memoised
MEMO_URL_CHARS = 512


class Prepared(NamedTuple):
    """A cached entry as the fast path sends it (kept in the worker's :class:`portal.core.cache.Memo`)."""

    plain: tuple[tuple[str, str], ...]  # the headers over HTTP
    secure: tuple[tuple[str, str], ...]  # … over HTTPS (HSTS)
    body: bytes
    etag: str
    modified: dt.datetime

    @property
    def size(self) -> int:
        """About the bytes it holds in memory."""
        return len(self.body) + sum(len(k) + len(v) for k, v in self.plain) + 256

#: marks a view function as served by :func:`anonymous_cache`; the value is ``(params, skip, canon)``
CACHED_ATTR = "portal_anonymous_cache"


class FastPath:
    """WSGI middleware answering anonymous cache hits before Flask.

    Kept, as the smallest piece, because the library path alone measured 827 µs per cached
    ``/api/v1/stats`` hit in process against 180 µs for bare Flask (0.22×; docs/BENCHMARKS.md):
    Flask's session, Flask-Login, Flask-Babel, Flask-Limiter's evaluation and the header hooks cost that
    much per request. A request without a session or remember cookie whose entry is cached (the same
    canonical key and cache as :func:`anonymous_cache`) is answered here with the same headers; anything
    else (a miss, a cookie, a breached limit) goes to Flask. Hits of views under ``public_limit`` count
    on the same limit storage; hits of the recomputing views count nothing, as in Flask (only misses
    count there). A hit answered here carries no ``X-RateLimit-*`` headers.
    """

    def __init__(self, app, wsgi_app) -> None:
        from cachetools import LRUCache

        self.app = app
        self.wsgi_app = wsgi_app
        self._views: dict[str, tuple] | None = None
        self._routes: LRUCache = LRUCache(maxsize=4096)
        self._lock = threading.Lock()

    def views(self) -> dict[str, tuple]:
        """``{endpoint: (params, skip, canon, under the public limit)}`` of the cached views, read once."""
        from portal.public.limits import LIMITED_ATTR

        if self._views is None:
            self._views = {name: (*getattr(fn, CACHED_ATTR), bool(getattr(fn, LIMITED_ATTR, False)))
                           for name, fn in self.app.view_functions.items()
                           if getattr(fn, CACHED_ATTR, None) is not None}
        return self._views

    def __call__(self, environ: dict, start_response):
        started = time.perf_counter()
        hit = self._hit(environ) if environ.get("REQUEST_METHOD") in ("GET", "HEAD") else None
        if hit is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = hit
        if self.app.config.get("LOG_JSON"):
            from flask import g

            from portal.core import logs

            with self.app.app_context():
                g.request_id = headers[-1][1]
                logs.log_request(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/", int(status[:3]),
                                 started, None)
        start_response(status, headers)
        return [body]

    def _hit(self, environ: dict):
        from urllib.parse import parse_qsl

        from werkzeug.datastructures import MultiDict

        config = self.app.config
        if not config.get("PUBLIC_PAGE_CACHE", True) or self._has_identity(environ):
            return None
        matched = self._match(environ)
        if matched is None:
            return None
        endpoint, view_args = matched
        view = self.views().get(endpoint)
        if view is None:
            return None
        params, skip, canon, limited = view
        args = MultiDict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if any(args.get(name, "").strip() for name in skip):
            return None
        lang = args.get("lang")
        locale = lang if lang in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
        key = canonical_key(endpoint, view_args, args, locale, partial_request(environ), params, canon)
        with self.app.app_context():
            full = f"{key}:g{cache.generation()}"
            memo = cache.memo()
            found = memo.get(full)
            if found is not None and found[1]:  # (value, fresh)
                prepared = found[0]
            else:
                prepared = self._renewed(full, found)
                if prepared is None:
                    return None  # Flask renders (and stores) it
            if limited and not self._within_limit(environ):
                return None  # Flask answers the 429 in the endpoint's format
        return self._response(prepared, environ)

    def _renewed(self, full: str, found: tuple[Prepared, bool] | None) -> Prepared | None:
        """The shared entry ``full`` prepared and memoised; when it is gone (expired) but this worker
        still holds an expired copy, the copy, unless this request is the one to render its successor."""
        memo = cache.memo()
        entry = cache.get(full)
        if entry is not None:  # (another worker may have renewed it already)
            prepared = self._prepare(entry)
            memo.set(full, prepared, prepared.size, float(entry["at"]) + float(entry.get("ttl", _ttl())))
            return prepared
        if found is not None and not memo.claim(full):
            return found[0]  # another request of this worker is rendering the successor
        return None

    def _match(self, environ: dict) -> tuple[str, dict] | None:
        """The endpoint and arguments of the request's URL (``None``: not found or a redirect).

        URLs of cached views are memoised per host, scheme, script root and path, in a bounded LRU
        (tracking numbers come and go); nothing else is (a flood of random paths must not fill it)."""
        from werkzeug.exceptions import HTTPException

        token = (environ.get("HTTP_HOST") or "", environ.get("wsgi.url_scheme") or "",
                 environ.get("SCRIPT_NAME") or "", environ.get("PATH_INFO") or "")
        if sum(map(len, token)) > MEMO_URL_CHARS:
            token = None
        else:
            with self._lock:
                found = self._routes.get(token)
            if found is not None:
                return found
        try:
            found = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # not found, or a redirect (trailing slash): Flask answers
            return None
        if token is not None and found[0] in self.views():
            with self._lock:
                self._routes[token] = found
        return found

    def _prepare(self, entry: dict) -> Prepared:
        """A cached entry as this path sends it.

        The headers: Content-Type and Content-Length first (a 304 leaves them out), the view's own
        (CSP, Vary), ETag, Last-Modified and Cache-Control, then the security headers the view did not set
        itself (HSTS only over HTTPS); the request id is added per request."""
        from werkzeug.http import http_date, quote_etag
        from werkzeug.utils import get_content_type

        from portal.core import security

        body = entry["body"].encode()
        modified = dt.datetime.fromtimestamp(int(entry["at"]), dt.UTC)
        own = {name.lower() for name, _ in entry["headers"]}
        base = [("Content-Type", get_content_type(entry["mimetype"], "utf-8")), ("Content-Length", str(len(body))),
                *entry["headers"], ("ETag", quote_etag(entry["etag"])), ("Last-Modified", http_date(modified)),
                ("Cache-Control", "public, no-cache")]
        plain, secure = ((*base, *((name, value) for name, value in security.security_headers(self.app.config, https)
                                   if name.lower() not in own)) for https in (False, True))
        return Prepared(plain, secure, body, entry["etag"], modified)

    def _response(self, prepared: Prepared, environ: dict):
        from werkzeug.http import is_resource_modified

        from portal.core import logs

        headers = [*(prepared.secure if environ.get("wsgi.url_scheme") == "https" else prepared.plain),
                   ("X-Request-ID", logs.request_id(environ.get("HTTP_X_REQUEST_ID", "")))]
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and not is_resource_modified(environ, etag=prepared.etag, last_modified=prepared.modified):
            return "304 NOT MODIFIED", headers[2:], b""  # without Content-Type and Content-Length
        return "200 OK", headers, b"" if environ["REQUEST_METHOD"] == "HEAD" else prepared.body

    def _has_identity(self, environ: dict) -> bool:
        """A session or remember cookie: maybe signed in, a flash or a chosen language — Flask decides."""
        from werkzeug.http import parse_cookie

        raw = environ.get("HTTP_COOKIE")
        if not raw:
            return False
        names = parse_cookie(raw)
        config = self.app.config
        return (config["SESSION_COOKIE_NAME"] in names
                or config.get("REMEMBER_COOKIE_NAME", "remember_token") in names)

    def _within_limit(self, environ: dict) -> bool:
        from portal.public.limits import within_public_limit

        try:
            return within_public_limit(environ.get("REMOTE_ADDR") or "127.0.0.1")
        except Exception:  # storage down: let Flask-Limiter (with its in-memory fallback) decide
            return False


def init_app(app) -> None:
    """Put :class:`FastPath` in front of Flask (before ``ProxyFix`` wraps the app)."""
    app.wsgi_app = FastPath(app, app.wsgi_app)

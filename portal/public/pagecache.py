"""Rendered public responses cached for anonymous visitors, with ETag/Last-Modified → 304.

Only ANONYMOUS requests are served from (or stored into) this cache: a signed-in user always gets a
freshly rendered response (``Cache-Control: no-store`` from :mod:`portal.core.security`), so one role's
view can never reach another. Entries are keyed by (endpoint, path with query string, UI language,
htmx fragment or page) and the data generation (:func:`portal.core.cache.generation`), so a change to
any complaint invalidates them; without Redis each worker keeps its own copy for ``STATS_CACHE_SECONDS``.

A response is stored only when it is a 200 that did not touch the session (no ``Set-Cookie``) — a
page that rendered a CSRF token or flashed a message is never shared.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time

from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal.core import cache
from portal.core.auth import wants_partial

#: headers of the original response that are replayed from the cache
_KEEP = ("Content-Security-Policy", "Vary")


def _cacheable() -> bool:
    if request.method != "GET" or not current_app.config.get("PUBLIC_PAGE_CACHE", True):
        return False
    if current_user.is_authenticated:
        return False
    return "_flashes" not in session


def _key() -> str:
    path = request.full_path if request.query_string else request.path
    part = "f" if wants_partial() else "p"
    return f"pub:page:{request.endpoint}:{get_locale() or 'id'}:{part}:{path}"


def _ttl() -> int:
    return int(current_app.config.get("STATS_CACHE_SECONDS", 30))


def _replay(entry: dict) -> Response:
    resp = Response(entry["body"], status=200, mimetype=entry["mimetype"])
    for name, value in entry["headers"]:
        resp.headers.add(name, value)
    return _conditional(resp, entry["etag"], entry["at"])


def _conditional(resp: Response, etag: str, at: float) -> Response:
    resp.set_etag(etag)
    resp.last_modified = dt.datetime.fromtimestamp(int(at), dt.UTC)
    resp.headers["Cache-Control"] = "public, no-cache"  # store, but revalidate (cheap: 304)
    return resp.make_conditional(request)


def anonymous_cache(view):
    """Serve ``view``'s 200 responses to anonymous visitors from the cache (see the module doc)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        key = f"{_key()}:g{cache.generation()}"
        entry = cache.get(key)
        if entry is not None:
            return _replay(entry)
        resp = current_app.make_response(view(*args, **kwargs))
        if resp.status_code != 200 or resp.direct_passthrough or session.modified or "Set-Cookie" in resp.headers:
            return resp
        body = resp.get_data(as_text=True)
        entry = {
            "body": body,
            "mimetype": resp.mimetype,
            "headers": [(k, v) for k, v in resp.headers.items() if k in _KEEP],
            "etag": hashlib.blake2b(body.encode(), digest_size=12).hexdigest(),
            "at": time.time(),
        }
        cache.set(key, entry, _ttl())
        return _conditional(resp, entry["etag"], entry["at"])

    return wrapper

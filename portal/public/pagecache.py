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
import time

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal.core import cache
from portal.core.auth import partial_request

#: headers of the original response that are replayed from the cache
_KEEP = ("Content-Security-Policy", "Vary")
#: the query parameters a view reads when it does not say
DEFAULT_PARAMS = ("from", "to", "opd")
#: sort orders of the per-OPD table (:func:`portal.public.queries.sort_rows`)
SORTS = frozenset({"name", "total", "persen_tl", "rtl_hari", "rtl_median", "rv_hari", "rv_median", "rhp",
                   "selesai", "proses", "belum_ditindaklanjuti", "n_all"})


def _cacheable() -> bool:
    if request.method not in ("GET", "HEAD") or not current_app.config.get("PUBLIC_PAGE_CACHE", True):
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
    return value.upper()[:40]


def cache_key(endpoint: str, params: tuple[str, ...]) -> str:
    """The entry's key (without the generation): the same for every spelling of the same request."""
    view_args = ",".join(f"{k}={str(v).strip().upper()}" for k, v in sorted((request.view_args or {}).items()))
    query = "&".join(f"{name}={_param(name, request.args.get(name, ''))}" for name in params
                     if request.args.get(name, "").strip())
    part = "f" if partial_request(request.environ) else "p"
    raw = f"{endpoint}:{get_locale() or 'id'}:{part}:{view_args}?{query}"
    return "pub:page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


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
    return resp.make_conditional(request)


def anonymous_cache(view=None, *, params: tuple[str, ...] = DEFAULT_PARAMS):
    """Serve ``view``'s 200 responses to anonymous visitors from the cache (see the module doc).

    ``params``: the query parameters the view reads; every other one is ignored by the key.
    Use as ``@anonymous_cache`` or ``@anonymous_cache(params=(...))``.
    """
    if view is None:
        return functools.partial(anonymous_cache, params=params)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        key = f"{cache_key(request.endpoint or '', params)}:g{cache.generation()}"
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
        }
        cache.set(key, entry, _ttl())
        return _conditional(resp, entry)

    return wrapper

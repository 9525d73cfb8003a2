"""One shared rate limit for the public search, tracking, open data and APIs.

A single counter per client address across all of them, so tracking numbers cannot be
enumerated cheaply by spreading requests over endpoints. ``RATELIMIT_PUBLIC`` sets it.

The views that recompute aggregates (``/``, the chart SVGs, ``/opd/<code>``) have a second limit,
``RATELIMIT_RECOMPUTE``, deducted only by requests that missed the cache (:data:`recompute_limit`).
"""

from __future__ import annotations

from flask import current_app, jsonify, make_response, request

from portal.extensions import limiter


def _limit() -> str:
    return current_app.config.get("RATELIMIT_PUBLIC", "120/minute")


def _on_breach(_limit_info):
    """APIs answer 429 in their own format; pages get the normal error page."""
    if request.path.startswith("/api/"):
        resp = make_response(jsonify(error="Terlalu banyak permintaan", code=429), 429)
    elif request.path.startswith("/open311/"):
        from portal.public.open311 import error_response

        resp = error_response(429, "Too many requests", "xml" if request.path.endswith(".xml") else "json")
    else:
        return None
    resp.headers["Retry-After"] = "60"
    return resp


#: the limit's scope: one counter per client address across every public endpoint
SCOPE = "public"
#: marks a view function as under :data:`public_limit` (read by the cache fast path)
LIMITED_ATTR = "portal_public_limit"
_shared = limiter.shared_limit(_limit, scope=SCOPE, on_breach=_on_breach)


def public_limit(view):
    """The shared public rate limit (Flask-Limiter), marked on the view for the cache fast path."""
    wrapped = _shared(view)
    setattr(wrapped, LIMITED_ATTR, True)
    return wrapped


def within_public_limit(address: str) -> bool:
    """Count one request of ``address`` against the public limit; ``False`` once it is breached.

    For the cache fast path (:class:`portal.public.pagecache.FastPath`), which answers before Flask:
    the same storage (``limiter.limiter``, Flask-Limiter's public strategy), limit and key
    (``[RATELIMIT_KEY_PREFIX,] address, scope``) as ``public_limit``, so hits and misses share a counter.
    """
    from limits import parse_many

    if not limiter.enabled:
        return True
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    args = [prefix, address, SCOPE] if prefix else [address, SCOPE]
    return all(limiter.limiter.hit(item, *args) for item in parse_many(_limit()))


def _recompute_limit() -> str:
    return current_app.config.get("RATELIMIT_RECOMPUTE", "60/minute")


def _recomputed(_response) -> bool:
    from portal.core.cache import RECOMPUTED

    return bool(request.environ.get(RECOMPUTED))


#: the views that compute aggregates for any period asked (the dashboard, its charts, one OPD): a
#: request counts only when it computed something (a cache miss), so ordinary browsing of cached
#: pages is never refused, while a stream of new periods or sort orders is
recompute_limit = limiter.shared_limit(_recompute_limit, scope="recompute", deduct_when=_recomputed)


def too_many_requests(err):
    """The public blueprint's 429: the API's own format when ``on_breach`` built one, else the error page."""
    from flask import render_template

    response = getattr(err, "response", None)
    if response is not None:
        return response
    resp = make_response(render_template("errors/error.html", error=err), 429)
    resp.headers["Retry-After"] = "60"
    return resp

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
public_limit = limiter.shared_limit(_limit, scope=SCOPE, on_breach=_on_breach)


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

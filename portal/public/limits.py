"""One shared rate limit for the public search, tracking, open data and APIs.

A single counter per client address across all of them, so tracking numbers cannot be
enumerated cheaply by spreading requests over endpoints. ``RATELIMIT_PUBLIC`` sets it.
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
    the same storage, limit and key (``[prefix,] address, scope``) as Flask-Limiter's ``public_limit``,
    so a hit and a miss count against one counter.
    """
    from limits import parse_many

    if not limiter.enabled:
        return True
    prefix = limiter._key_prefix  # the prefix Flask-Limiter puts on its keys (private, pinned in requirements)
    args = [prefix, address, SCOPE] if prefix else [address, SCOPE]
    return all(limiter.limiter.hit(item, *args) for item in parse_many(_limit()))


def too_many_requests(err):
    """The public blueprint's 429: the API's own format when ``on_breach`` built one, else the error page."""
    from flask import render_template

    response = getattr(err, "response", None)
    if response is not None:
        return response
    resp = make_response(render_template("errors/error.html", error=err), 429)
    resp.headers["Retry-After"] = "60"
    return resp

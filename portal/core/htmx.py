"""htmx through htmx-flask: the one place that tells an htmx request apart, and answers with its headers.

``request.htmx`` (htmx-flask's :class:`~htmx_flask.requests.HtmxHeaders`, installed by ``Htmx.init_app``)
is true for any htmx request; :func:`wants_partial` is what views ask — a fragment is wanted unless the
request is a boosted navigation or a history restore (those need the whole page). Responses that carry
htmx headers (``HX-Redirect``, ``HX-Push-Url``, ``HX-Retarget``, ``HX-Trigger`` …) are built with
:func:`htmx_flask.make_response` (re-exported here as :func:`hx_response`).
"""

from __future__ import annotations

from typing import Any

from htmx_flask import make_response as hx_response
from htmx_flask import request
from htmx_flask.requests import HtmxHeaders
from werkzeug.datastructures import EnvironHeaders

__all__ = ["current_url", "hx_response", "is_htmx", "partial_request", "wants_partial"]


def _partial(hx: HtmxHeaders) -> bool:
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def is_htmx() -> bool:
    """Any request made by htmx (``HX-Request: true``), fragment or not."""
    return bool(request.htmx)


def wants_partial() -> bool:
    """An htmx request for a fragment (not a boosted navigation or a history restore)."""
    return _partial(request.htmx)


def partial_request(environ: dict[str, Any]) -> bool:
    """:func:`wants_partial` from the WSGI environ (the cache fast path runs before Flask's request)."""
    return _partial(HtmxHeaders(EnvironHeaders(environ)))


def current_url() -> str | None:
    """The page the htmx request came from (``HX-Current-URL``)."""
    return request.htmx.current_url

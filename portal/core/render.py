"""Rendering helpers: a fragment for htmx, the full page otherwise."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from portal.core.htmx import hx_response, wants_partial


def render(template: str, partial: str | None = None, status: int = 200, **context: Any) -> Response:
    """Render ``partial`` for an htmx request (not boosted, not a history restore), else the page.

    Always sets ``Vary: HX-Request`` so caches keep the two apart.
    """
    name = partial if partial and wants_partial() else template
    resp = make_response(render_template(name, **context), status)
    resp.headers.add("Vary", "HX-Request")
    return resp


def htmx_redirect(endpoint_or_url: str, **values: Any) -> BaseResponse:
    """Redirect after a POST: ``HX-Redirect`` for htmx, 303 for a plain form."""
    from flask import redirect

    url = url_for(endpoint_or_url, **values) if not endpoint_or_url.startswith("/") else endpoint_or_url
    if wants_partial():
        return hx_response("", 200, redirect=url)
    return redirect(url, code=303)

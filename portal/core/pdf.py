"""PDF rendering with WeasyPrint: Jinja renders ``templates/pdf/*.html``, WeasyPrint makes the bytes.

The URL fetcher serves only the portal's own ``static/`` files (fonts, logo, CSS); ``file://``,
outside URLs and anything else are refused, so user content cannot make the renderer read files or
call out.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app, render_template

STATIC_PREFIX = "/static/"


class FetchRefused(ValueError):
    pass


def safe_url_fetcher(url: str, timeout: int = 10, ssl_context=None) -> dict:
    """Resolve ``…/static/<path>`` to the static folder; refuse everything else."""
    parsed = urlparse(url)
    if parsed.scheme == "data":
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    if parsed.scheme not in ("http", "https") or not parsed.path.startswith(STATIC_PREFIX):
        raise FetchRefused(f"refused URL scheme/path: {parsed.scheme}:{parsed.path[:40]}")
    static_root = Path(current_app.static_folder).resolve()  # type: ignore[arg-type]
    target = (static_root / unquote(parsed.path[len(STATIC_PREFIX):])).resolve()
    if static_root not in target.parents or not target.is_file():
        raise FetchRefused("refused path outside static/")
    mime, _ = mimetypes.guess_type(target.name)
    return {"string": target.read_bytes(), "mime_type": mime or "application/octet-stream",
            "redirected_url": url}


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # an http base so relative and root-relative links resolve; the fetcher still serves only static/
    return HTML(string=html, base_url="http://portal.invalid/", url_fetcher=safe_url_fetcher).write_pdf()


def render_pdf(template: str, **context) -> bytes:
    """Render ``template`` (under ``templates/pdf/``) with ``context`` and return PDF bytes.

    Templates reference static files as ``/static/...`` (``url_for('static', ...)``).
    """
    return html_to_pdf(render_template(template, **context))

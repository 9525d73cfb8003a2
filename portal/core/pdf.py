"""PDF rendering with WeasyPrint: Jinja renders ``templates/pdf/*.html``, WeasyPrint makes the bytes.

The URL fetcher serves only the portal's own ``static/`` files (fonts, logo, CSS); ``file://``,
outside URLs and anything else are refused, so user content cannot make the renderer read files or
call out.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from flask import current_app, render_template
from flask_babel import force_locale

from portal.core.i18n import OFFICIAL_LOCALE

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


#: every document: tagged PDF (PDF/UA-1), its language from ``<html lang>``, its title from ``<title>``
ACCESSIBLE = "pdf/ua-1"
#: an approved, frozen report kept for the archive: PDF/A-3b (still tagged), its figures embedded
ARCHIVE = "pdf/a-3b"
ARCHIVE_ATTACHMENT = "figures.json"


def html_to_pdf(html: str, *, archive_figures: Any = None) -> bytes:
    """PDF bytes of ``html``: PDF/UA-1; with ``archive_figures``, PDF/A-3b with them attached as JSON."""
    from weasyprint import HTML, Attachment

    # an http base so relative and root-relative links resolve; the fetcher still serves only static/
    doc = HTML(string=html, base_url="http://portal.invalid/", url_fetcher=safe_url_fetcher)
    if archive_figures is None:
        try:
            return doc.write_pdf(pdf_variant=ACCESSIBLE)
        except ValueError:  # WeasyPrint's tagger refuses some layouts ("Table wrapper without a table")
            current_app.logger.warning("pdf: tagging failed, writing an untagged PDF")
            return doc.write_pdf()
    data = json.dumps(archive_figures, ensure_ascii=False, sort_keys=True, default=str, indent=1)
    attachment = Attachment(string=data, base_url=None, name=ARCHIVE_ATTACHMENT,
                            description="Frozen figures of the approved report (JSON)", relationship="Data")
    return doc.write_pdf(pdf_variant=ARCHIVE, pdf_tags=True, attachments=[attachment])


def render_pdf(template: str, archive_figures: Any = None, **context) -> bytes:
    """Render ``template`` (under ``templates/pdf/``) with ``context`` and return PDF bytes.

    Templates reference static files as ``/static/...`` (``url_for('static', ...)``); each sets
    ``<html lang>`` and ``<title>`` (through ``pdf/_base.html``), which the tagged PDF carries.
    Official documents: always rendered in Indonesian, whatever the visitor's language.
    """
    with force_locale(OFFICIAL_LOCALE):
        html = render_template(template, **context)
    return html_to_pdf(html, archive_figures=archive_figures)

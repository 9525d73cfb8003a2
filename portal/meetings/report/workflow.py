"""The workflow both reports share (docs/DOMAIN.md §9–10): the semiannual rakor report
(:mod:`portal.meetings.report.operations`) and the quarterly report and annual evaluation
(:mod:`portal.meetings.report.periodic`) go draft → approved (figures frozen with their hash) →
published, with written sections while a draft, the same charts and a PDF always in Indonesian.

Every function takes the report (a :class:`~portal.meetings.report.models.ReportWorkflow`) and only
flushes; the caller commits once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

from flask_babel import force_locale

from portal.core.db import utcnow
from portal.core.i18n import OFFICIAL_LOCALE, bulan
from portal.core.markdown import markdown_html
from portal.extensions import db
from portal.meetings.report import build
from portal.meetings.report.models import WRITTEN_SECTIONS, ReportStatus, ReportWorkflow
from portal.people.models import Role, User


class ReportError(ValueError):
    """A workflow step that is not allowed now (shown to the user)."""


# --- workflow --------------------------------------------------------------------------------------

def may_approve(user: User) -> bool:
    """The head of office approves: a named user with the ``pimpinan`` role, or one given the
    approval right (``can_approve``) — never any Kominfo account as such."""
    if not user.is_authenticated or not (user.name or "").strip():
        return False
    return user.role == Role.PIMPINAN or (user.role in (Role.KOMINFO, Role.PIMPINAN) and bool(user.can_approve))


def permissions(rep: ReportWorkflow | None, user: User) -> dict[str, Any]:
    """What ``user`` may do with the report now (``None``: none made yet): ``may_write``, ``may_approve``."""
    return {"may_write": user.role == Role.KOMINFO and (rep is None or not rep.is_frozen),
            "may_approve": may_approve(user) and (rep is None or rep.status == ReportStatus.DRAFT)}


def save_written(rep: ReportWorkflow, values: dict[str, str], user: User) -> None:
    """The written sections given in ``values`` (trimmed); a frozen report refuses."""
    if rep.is_frozen:
        raise ReportError("Laporan sudah disetujui; bagian tertulis tidak dapat diubah lagi.")
    for key in WRITTEN_SECTIONS:
        if key in values:
            setattr(rep, key, (values[key] or "").strip())
    rep.updated_by_id = user.id
    db.session.flush()


def freeze(rep: ReportWorkflow, user: User, compile_figures: Callable[[], dict[str, Any]], *, denied: str
           ) -> dict[str, Any]:
    """Approve: ``compile_figures()`` once more and freeze them with their hash; ``denied`` is the
    message for a user who may not approve. Returns the frozen figures."""
    if not may_approve(user):
        raise ReportError(denied)
    if rep.status != ReportStatus.DRAFT:
        raise ReportError("Laporan ini sudah disetujui.")
    figures = compile_figures()
    rep.figures = figures
    rep.data_hash = build.data_hash(figures)
    rep.status = ReportStatus.APPROVED
    rep.approved_at = utcnow()
    rep.approved_by_id = user.id
    db.session.flush()
    return figures


def publish(rep: ReportWorkflow, user: User, *, needs_pdf: bool = False) -> None:
    """Kominfo publishes an approved report (with ``needs_pdf``, only once its final PDF is made)."""
    if user.role != Role.KOMINFO:
        raise ReportError("Hanya petugas Kominfo yang dapat menerbitkan laporan.")
    if rep.status != ReportStatus.APPROVED:
        raise ReportError("Hanya laporan yang sudah disetujui yang dapat diterbitkan.")
    if needs_pdf and not rep.pdf_sha256:
        raise ReportError("PDF final belum dibuat; buat PDF terlebih dahulu.")
    rep.status = ReportStatus.PUBLISHED
    rep.published_at = utcnow()
    rep.published_by_id = user.id
    db.session.flush()


def store_pdf(rep: ReportWorkflow, data: bytes) -> None:
    rep.pdf = data
    rep.pdf_sha256 = hashlib.sha256(data).hexdigest()
    rep.pdf_size = len(data)
    rep.pdf_generated_at = utcnow()
    db.session.flush()


def drop_pdf(rep: ReportWorkflow) -> None:
    """Forget the stored PDF (a draft's, once the report is approved)."""
    rep.pdf = None
    rep.pdf_sha256 = None
    rep.pdf_size = None
    rep.pdf_generated_at = None
    db.session.flush()


# --- the document ----------------------------------------------------------------------------------

def iso_date(iso: str | None) -> dt.date | None:
    """ISO text from the figures as a date (the templates' ``d``)."""
    return dt.date.fromisoformat(iso) if iso else None


def iso_datetime(iso: str | None) -> dt.datetime | None:
    """ISO text from the figures as an aware datetime, naive text being UTC (the templates' ``dtm``)."""
    if not iso:
        return None
    value = dt.datetime.fromisoformat(iso)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def document_context(rep: ReportWorkflow | None, figures: dict[str, Any]) -> dict[str, Any]:
    """What ``meetings/report/_body.html`` and the PDFs need of any report (``rep`` ``None``: a draft
    not saved yet): the figures, the written sections as HTML, the status and the date helpers."""
    written = rep.written() if rep is not None else dict.fromkeys(WRITTEN_SECTIONS, "")
    return {"rep": rep, "f": figures, "written": {k: markdown_html(v) for k, v in written.items()},
            "is_draft": rep is None or not rep.is_frozen, "d": iso_date, "dtm": iso_datetime,
            "status_label": (rep.status.label if rep is not None else ReportStatus.DRAFT.label)}


def chart_sources(figures: dict[str, Any]) -> Callable[[str], str]:
    """The charts embedded as data URIs, by name (the templates' ``chart_src``)."""
    return {name: chart_data_uri(figures, name) for name in CHART_NAMES}.__getitem__


def render_pdf(template: str, rep: ReportWorkflow | None, figures: dict[str, Any], /, **context: Any) -> bytes:
    """The report as PDF bytes with its charts, always in Indonesian; an approved (frozen) report is
    archived as PDF/A-3b with its frozen figures embedded. ``context``: :func:`document_context` and more."""
    from portal.core.pdf import render_pdf as _render

    with force_locale("id"):
        return _render(template, chart_src=chart_sources(figures),
                       archive_figures=figures if rep is not None and rep.is_frozen else None, **context)


# --- charts ----------------------------------------------------------------------------------------

CHART_NAMES = ("saluran", "bulanan", "opd")


def chart_svg(figures: dict[str, Any], name: str) -> str:
    """An SVG chart (pygal, no JavaScript) of the figures; ``KeyError`` for an unknown name."""
    from portal.public.charts import _pygal

    pygal = _pygal()  # without the import hook pygal adds to sys.meta_path
    from pygal.style import Style

    style = Style(background="white", plot_background="white", font_family="DejaVu Sans, sans-serif",
                  colors=("#0b3a6e", "#8a5d0f", "#1d6b38", "#a3221b", "#4f5b6a"), label_font_size=11,
                  major_label_font_size=11, legend_font_size=11, title_font_size=13, value_font_size=10)
    common = {"js": [], "style": style, "width": 760, "height": 360, "disable_xml_declaration": True,
              "print_values": True, "show_legend": True, "legend_at_bottom": True,
              "formatter": _fmt}
    if name == "saluran":
        chart = pygal.HorizontalBar(title="Laporan per saluran", show_legend=False, **{
            k: v for k, v in common.items() if k != "show_legend"})
        rows = sorted(figures["indicators"]["by_channel"], key=lambda r: r["n"])
        chart.x_labels = [r["label"] for r in rows]
        chart.add("Laporan", [r["n"] for r in rows])
    elif name == "bulanan":
        chart = pygal.Bar(title="Laporan diterima dan selesai per bulan", **common)
        months = [m for q in figures["quarters"] for m in q["months"]]
        chart.x_labels = [_month_label(m["start"]) for m in months]
        chart.add("Diterima", [m["received"] for m in months])
        chart.add("Selesai", [m["selesai"] for m in months])
    elif name == "opd":
        top = sorted((r for r in figures["per_opd"] if r["total"]), key=lambda r: -r["total"])[:12]
        chart = pygal.HorizontalBar(title="%TL OPD dengan laporan terbanyak", show_legend=False, range=(0, 100),
                                    **{k: v for k, v in common.items() if k != "show_legend"})
        top.reverse()
        chart.x_labels = [r["code"] for r in top]
        chart.add("%TL", [r["persen_tl"] for r in top])
    else:
        raise KeyError(name)
    # pygal always embeds a small config <script>; the charts are static images, so drop it
    return re.sub(r"<script\b.*?</script>", "", chart.render(is_unicode=True), flags=re.S)


def _fmt(value: Any) -> str:
    """Indonesian decimals in chart labels (the report is Indonesian), independent of the process locale."""
    from babel.numbers import format_decimal

    if isinstance(value, float):
        return format_decimal(value, "#,##0.0", locale=OFFICIAL_LOCALE)
    return format_decimal(value, "#,##0", locale=OFFICIAL_LOCALE) if isinstance(value, int) else str(value)


def _month_label(iso: str) -> str:
    return bulan(dt.date(int(iso[:4]), int(iso[5:7]), 1), OFFICIAL_LOCALE)


def chart_data_uri(figures: dict[str, Any], name: str) -> str:
    svg = chart_svg(figures, name)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

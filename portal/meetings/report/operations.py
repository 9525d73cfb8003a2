"""The rakor report's workflow (draft → approved → published), its PDF and its charts.

Operations only ``flush()``; the caller commits once. The background job
:func:`generate_pdf_job` is the exception: it runs on its own and commits its result.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from portal.core import cache, jobs
from portal.core.db import utcnow
from portal.core.i18n import OFFICIAL_LOCALE, bulan
from portal.core.markdown import markdown_html, sanitize_html
from portal.extensions import db
from portal.meetings.report import build as report
from portal.meetings.report.models import WRITTEN_SECTIONS, RakorReport, ReportStatus
from portal.people.models import Role, User

LIVE_TTL = 120

#: who reads reports that are not published (drafts and approved ones)
READER_ROLES = (Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)


class ReportError(ValueError):
    """A workflow step that is not allowed now (shown to the user)."""


# --- text ------------------------------------------------------------------------------------------

# --- loading and figures ---------------------------------------------------------------------------

def report_for(meeting: Any) -> RakorReport | None:
    return db.session.scalar(sa.select(RakorReport).where(RakorReport.meeting_id == meeting.id))


def ensure_report(meeting: Any) -> RakorReport:
    rep = report_for(meeting)
    if rep is None:
        rep = RakorReport(meeting_id=meeting.id, status=ReportStatus.DRAFT, analysis_delay="",
                          analysis_themes="", improvement_plan="")
        db.session.add(rep)
        db.session.flush()
    return rep


def live_figures(meeting: Any, fresh: bool = False, progress: report.Progress | None = None) -> dict[str, Any]:
    """The draft's figures from live data, cached per data generation for the chart requests."""
    key = f"rakor-report:{meeting.id}"
    if fresh:
        value = report.compile_report(meeting, progress=progress)
        cache.set(f"{key}:g{cache.generation()}", value, LIVE_TTL)
        return value
    return cache.cached(key, LIVE_TTL, lambda: report.compile_report(meeting, progress=progress))


def figures_for(meeting: Any, rep: RakorReport | None, fresh: bool = False,
                progress: report.Progress | None = None) -> dict[str, Any]:
    """Frozen figures once approved, live ones while a draft."""
    if rep is not None and rep.is_frozen and rep.figures is not None:
        return rep.figures
    return live_figures(meeting, fresh=fresh, progress=progress)


def source_changed(rep: RakorReport) -> bool:
    """Has any complaint of the period changed since the figures were frozen?"""
    if not rep.is_frozen or not rep.figures:
        return False
    period = rep.figures["period"]
    now = report.source_digest(dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"]))
    return now != rep.figures.get("source")


# --- workflow --------------------------------------------------------------------------------------

def save_written(rep: RakorReport, values: dict[str, str], user: User) -> None:
    if rep.is_frozen:
        raise ReportError("Laporan sudah disetujui; bagian tertulis tidak dapat diubah lagi.")
    for key in WRITTEN_SECTIONS:
        if key in values:
            setattr(rep, key, (values[key] or "").strip())
    rep.updated_by_id = user.id
    db.session.flush()


def may_approve(user: User) -> bool:
    """The head of office approves: a named user with the ``pimpinan`` role, or one given the
    approval right (``can_approve``) — never any Kominfo account as such."""
    if not user.is_authenticated or not (user.name or "").strip():
        return False
    return user.role == Role.PIMPINAN or (user.role in (Role.KOMINFO, Role.PIMPINAN) and bool(user.can_approve))


def approve(rep: RakorReport, user: User) -> None:
    """Freeze the figures with their hash; the draft PDF is dropped (the final one is generated)."""
    if not may_approve(user):
        raise ReportError("Hanya pimpinan atau petugas yang diberi hak persetujuan yang dapat menyetujui laporan.")
    if rep.status != ReportStatus.DRAFT:
        raise ReportError("Laporan ini sudah disetujui.")
    figures = report.compile_report(rep.meeting)
    rep.figures = figures
    rep.data_hash = report.data_hash(figures)
    rep.status = ReportStatus.APPROVED
    rep.approved_at = utcnow()
    rep.approved_by_id = user.id
    rep.pdf = None
    rep.pdf_sha256 = None
    rep.pdf_size = None
    rep.pdf_generated_at = None
    db.session.flush()


def publish(rep: RakorReport, user: User) -> None:
    if user.role != Role.KOMINFO:
        raise ReportError("Hanya petugas Kominfo yang dapat menerbitkan laporan.")
    if rep.status != ReportStatus.APPROVED:
        raise ReportError("Hanya laporan yang sudah disetujui yang dapat diterbitkan.")
    if not rep.pdf_sha256:
        raise ReportError("PDF final belum dibuat; buat PDF terlebih dahulu.")
    rep.status = ReportStatus.PUBLISHED
    rep.published_at = utcnow()
    rep.published_by_id = user.id
    db.session.flush()


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


# --- PDF -------------------------------------------------------------------------------------------

def photo_data_uri(stored_name: str, max_px: int = 1200) -> str | None:
    """A documentation photo, downscaled, as a data URI (``None`` when its file is gone or unreadable)."""
    from portal.core.uploads import UploadError, clean_image

    path = Path(current_app.config["UPLOAD_DIR"]) / "meetings" / stored_name
    if "/" in stored_name or not path.is_file():
        return None
    try:
        image = clean_image(path.read_bytes(), to="image/jpeg", max_side=max_px, quality=80)
    except UploadError:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(image.data).decode()


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _datetime(iso: str | None) -> dt.datetime | None:
    """ISO text from the figures as an aware datetime (naive text is UTC)."""
    if not iso:
        return None
    value = dt.datetime.fromisoformat(iso)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def template_context(meeting: Any, rep: RakorReport | None, figures: dict[str, Any]) -> dict[str, Any]:
    written = rep.written() if rep is not None else dict.fromkeys(WRITTEN_SECTIONS, "")
    return {"meeting": meeting, "rep": rep, "f": figures, "m": figures.get("meeting", {}),
            "written": {k: markdown_html(v) for k, v in written.items()},
            "quarter_written": [dict(q, **{k: markdown_html(q.get(k)) for k in WRITTEN_SECTIONS})
                                for q in figures.get("quarter_written", [])],
            "minutes_html": sanitize_html((figures.get("meeting") or {}).get("minutes", {}).get("html", "")
                                          if (figures.get("meeting") or {}).get("minutes") else ""),
            "is_draft": rep is None or not rep.is_frozen, "d": _date, "dtm": _datetime,
            "status_label": (rep.status.label if rep is not None else ReportStatus.DRAFT.label)}


def render_pdf(template: str, archive_figures: Any = None, **context: Any) -> bytes:
    from portal.core.pdf import render_pdf as _render

    return _render(template, archive_figures=archive_figures, **context)


def render_pdf_bytes(meeting: Any, rep: RakorReport | None, figures: dict[str, Any]) -> bytes:
    """The report as PDF bytes (A4, table of contents, page numbers), always in Indonesian."""
    ctx = template_context(meeting, rep, figures)
    with force_locale("id"):
        charts = {name: chart_data_uri(figures, name) for name in CHART_NAMES}
        photos = [dict(p, src=photo_data_uri(p["stored_name"])) for p in ctx["m"].get("photos", [])]
        # an approved (frozen) report is archived as PDF/A-3b with its frozen figures embedded
        archive = figures if rep is not None and rep.is_frozen else None
        return render_pdf("pdf/report.html", chart_src=charts.__getitem__, archive_figures=archive,
                          photos=[p for p in photos if p["src"]], **ctx)


def store_pdf(rep: RakorReport, data: bytes) -> None:
    rep.pdf = data
    rep.pdf_sha256 = hashlib.sha256(data).hexdigest()
    rep.pdf_size = len(data)
    rep.pdf_generated_at = utcnow()
    db.session.flush()


def generate_pdf_job(job_id: str | None, report_id: int) -> dict[str, Any]:
    """Background job: compile (drafts) or take the frozen figures, render, store the PDF.

    An approved report's PDF, once made, is never made again: what was approved stays the same.
    """
    rep = db.session.get(RakorReport, report_id)
    if rep is None:
        raise ReportError("laporan tidak ditemukan")
    if rep.is_frozen and rep.pdf_sha256:
        return {"report_id": rep.id, "size": rep.pdf_size, "sha256": rep.pdf_sha256, "reused": True}

    def step(n: int, message: str) -> None:
        jobs.progress(job_id, n, report.STEPS, message)

    figures = figures_for(rep.meeting, rep, fresh=True, progress=step)
    step(7, "Menyusun PDF")
    data = render_pdf_bytes(rep.meeting, rep, figures)
    step(8, "Menyimpan PDF")
    store_pdf(rep, data)
    db.session.commit()
    return {"report_id": rep.id, "size": len(data), "sha256": rep.pdf_sha256}


def start_generation(rep: RakorReport, user: User | None) -> Any:
    """Enqueue :func:`generate_pdf_job`; the report must be committed first (the job reads it)."""
    job = jobs.enqueue("rakor-report-pdf", "portal.meetings.report.operations.generate_pdf_job", rep.id,
                       user_id=user.id if user else None, total=report.STEPS)
    rep = db.session.get(RakorReport, rep.id)
    rep.pdf_job_id = job.id
    db.session.commit()
    return job


def compare_reports(reports: list[RakorReport]) -> dict[str, Any]:
    """Two frozen reports side by side: key figures and %TL per OPD."""
    a, b = (r.figures or {} for r in reports)
    rows = []
    for key, label, higher_better, digits in report.KEY_FIGURES:
        va, vb = a.get("key_figures", {}).get(key), b.get("key_figures", {}).get(key)
        diff = round(vb - va, digits) if va is not None and vb is not None else None
        better = (diff > 0) == higher_better if diff and higher_better is not None else None
        rows.append({"label": label, "digits": digits, "a": va, "b": vb, "delta": diff, "better": better})
    opd_a = {r["code"]: r for r in a.get("per_opd", [])}
    opd_b = {r["code"]: r for r in b.get("per_opd", [])}
    opds = []
    for code in sorted(set(opd_a) | set(opd_b), key=lambda c: (opd_b.get(c) or opd_a.get(c))["name"]):
        ra, rb = opd_a.get(code), opd_b.get(code)
        if not (ra and ra["total"]) and not (rb and rb["total"]):
            continue
        opds.append({"name": (rb or ra)["name"], "a_total": ra["total"] if ra else None,
                     "a_tl": ra["persen_tl"] if ra else None, "b_total": rb["total"] if rb else None,
                     "b_tl": rb["persen_tl"] if rb else None})
    return {"a": reports[0], "b": reports[1], "rows": rows, "opds": opds}

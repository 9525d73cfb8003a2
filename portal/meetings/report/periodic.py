"""The quarterly report (Tabel 2, calendar quarter TW I–IV) and the annual evaluation
(1 January–30 November, to the Inspektorat): compiled like the semiannual rakor report, with the
same draft → approved (frozen figures and hash) → published workflow and a PDF.

Operations only ``flush()``; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale

from portal.core.db import utcnow
from portal.core.markdown import markdown_html
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings.report import build
from portal.meetings.report.models import WRITTEN_SECTIONS, PeriodicKind, PeriodicReport, ReportStatus
from portal.meetings.report.operations import ReportError, may_approve
from portal.people.models import Role, User

#: the annual evaluation covers units' reports from 1 January to 30 November (docs/DOMAIN.md §9)
ANNUAL_END = (11, 30)


def period_of(kind: PeriodicKind, year: int, quarter: int = 0) -> tuple[dt.date, dt.date]:
    if kind == PeriodicKind.QUARTERLY:
        return build.quarter_range(year, quarter)
    return dt.date(year, 1, 1), dt.date(year, *ANNUAL_END)


def title_of(kind: PeriodicKind, year: int, quarter: int = 0) -> str:
    if kind == PeriodicKind.QUARTERLY:
        return f"Laporan Triwulan SP4N-LAPOR! TW {build.ROMAN[quarter]} {year}"
    return f"Evaluasi Tahunan Pengelolaan SP4N-LAPOR! {year}"


def find(kind: PeriodicKind, year: int, quarter: int = 0) -> PeriodicReport | None:
    return db.session.scalar(sa.select(PeriodicReport).where(
        PeriodicReport.kind == kind, PeriodicReport.year == year, PeriodicReport.quarter == quarter))


def ensure(kind: PeriodicKind, year: int, quarter: int = 0) -> PeriodicReport:
    if kind == PeriodicKind.QUARTERLY and quarter not in (1, 2, 3, 4):
        raise ReportError("Triwulan harus 1–4.")
    if kind == PeriodicKind.ANNUAL:
        quarter = 0
    rep = find(kind, year, quarter)
    if rep is None:
        rep = PeriodicReport(kind=kind, year=year, quarter=quarter, status=ReportStatus.DRAFT,
                             analysis_delay="", analysis_themes="", improvement_plan="")
        db.session.add(rep)
        db.session.flush()
    return rep


def compile_periodic(kind: PeriodicKind, year: int, quarter: int = 0, today: dt.date | None = None
                     ) -> dict[str, Any]:
    """Every figure of the report for its period (the rakor report's sections without the meeting)."""
    start, end = period_of(kind, year, quarter)
    figures = build.compile_figures(start, end)
    figures["kind"] = kind.value
    figures["title"] = title_of(kind, year, quarter)
    figures["compiled_on"] = (today or today_wib()).isoformat()
    return figures


def figures_for(rep: PeriodicReport) -> dict[str, Any]:
    if rep.is_frozen and rep.figures is not None:
        return rep.figures
    return compile_periodic(rep.kind, rep.year, rep.quarter)


def save_written(rep: PeriodicReport, values: dict[str, str], user: User) -> None:
    if rep.is_frozen:
        raise ReportError("Laporan sudah disetujui; bagian tertulis tidak dapat diubah lagi.")
    for key in WRITTEN_SECTIONS:
        if key in values:
            setattr(rep, key, (values[key] or "").strip())
    rep.updated_by_id = user.id
    db.session.flush()


def approve(rep: PeriodicReport, user: User) -> None:
    """Freeze the figures with their hash and make the final PDF."""
    if not may_approve(user):
        raise ReportError("Hanya pimpinan atau petugas yang berwenang yang dapat menyetujui laporan.")
    if rep.status != ReportStatus.DRAFT:
        raise ReportError("Laporan ini sudah disetujui.")
    figures = compile_periodic(rep.kind, rep.year, rep.quarter)
    rep.figures = figures
    rep.data_hash = build.data_hash(figures)
    rep.status = ReportStatus.APPROVED
    rep.approved_at = utcnow()
    rep.approved_by_id = user.id
    db.session.flush()
    store_pdf(rep, render_pdf_bytes(rep, figures))


def publish(rep: PeriodicReport, user: User) -> None:
    if user.role != Role.KOMINFO:
        raise ReportError("Hanya petugas Kominfo yang dapat menerbitkan laporan.")
    if rep.status != ReportStatus.APPROVED:
        raise ReportError("Hanya laporan yang sudah disetujui yang dapat diterbitkan.")
    rep.status = ReportStatus.PUBLISHED
    rep.published_at = utcnow()
    rep.published_by_id = user.id
    db.session.flush()


def render_pdf_bytes(rep: PeriodicReport | None, figures: dict[str, Any]) -> bytes:
    """The report as PDF bytes, always in Indonesian."""
    from portal.core.pdf import render_pdf
    from portal.meetings.report.operations import _date, _datetime, chart_data_uri

    written = rep.written() if rep is not None else dict.fromkeys(WRITTEN_SECTIONS, "")
    with force_locale("id"):
        charts = {name: chart_data_uri(figures, name) for name in ("saluran", "bulanan", "opd")}
        return render_pdf("pdf/periodic.html", rep=rep, f=figures, m={}, photos=[], minutes_html="",
                          written={k: markdown_html(v) for k, v in written.items()},
                          is_draft=rep is None or not rep.is_frozen, d=_date, dtm=_datetime,
                          chart_src=charts.__getitem__,
                          archive_figures=figures if rep is not None and rep.is_frozen else None,
                          status_label=(rep.status.label if rep is not None else ReportStatus.DRAFT.label))


def store_pdf(rep: PeriodicReport, data: bytes) -> None:
    rep.pdf = data
    rep.pdf_sha256 = hashlib.sha256(data).hexdigest()
    rep.pdf_size = len(data)
    rep.pdf_generated_at = utcnow()
    db.session.flush()


def pdf_for(rep: PeriodicReport | None, kind: PeriodicKind, year: int, quarter: int = 0) -> bytes:
    """The frozen PDF of an approved report (made once), else a draft compiled from current data."""
    if rep is not None and rep.is_frozen:
        if rep.pdf is None:
            store_pdf(rep, render_pdf_bytes(rep, rep.figures or {}))
        return rep.pdf
    return render_pdf_bytes(rep, compile_periodic(kind, year, quarter))


def build_date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def build_datetime(iso: str | None) -> dt.datetime | None:
    from portal.meetings.report.operations import _datetime

    return _datetime(iso)

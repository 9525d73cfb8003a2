"""The quarterly report (Tabel 2, calendar quarter TW I–IV) and the annual evaluation
(1 January–30 November, to the Inspektorat): compiled like the semiannual rakor report, with the
same draft → approved (frozen figures and hash) → published workflow and a PDF.

Operations only ``flush()``; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings.report import build, workflow
from portal.meetings.report.models import PeriodicKind, PeriodicReport, ReportStatus
from portal.meetings.report.workflow import ReportError
from portal.meetings.report.workflow import save_written as save_written
from portal.meetings.report.workflow import store_pdf as store_pdf
from portal.people.models import User

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


def approve(rep: PeriodicReport, user: User) -> None:
    """Freeze the figures with their hash and make the final PDF."""
    figures = workflow.freeze(rep, user, lambda: compile_periodic(rep.kind, rep.year, rep.quarter),
                              denied="Hanya pimpinan atau petugas yang berwenang yang dapat menyetujui laporan.")
    store_pdf(rep, render_pdf_bytes(rep, figures))


def publish(rep: PeriodicReport, user: User) -> None:
    workflow.publish(rep, user)


def render_pdf_bytes(rep: PeriodicReport | None, figures: dict[str, Any]) -> bytes:
    """The report as PDF bytes, always in Indonesian."""
    return workflow.render_pdf("pdf/periodic.html", rep, figures, **workflow.document_context(rep, figures),
                               m={}, photos=[], minutes_html="")


def pdf_for(rep: PeriodicReport | None, kind: PeriodicKind, year: int, quarter: int = 0) -> bytes:
    """The frozen PDF of an approved report (made once), else a draft compiled from current data."""
    if rep is not None and rep.is_frozen:
        if rep.pdf is None:
            store_pdf(rep, render_pdf_bytes(rep, rep.figures or {}))
        return rep.pdf
    return render_pdf_bytes(rep, compile_periodic(kind, year, quarter))

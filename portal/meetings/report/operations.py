"""The rakor report: its figures (live while a draft, frozen from approval on), its workflow
(draft → approved → published, the steps shared with the periodic reports being in
:mod:`portal.meetings.report.workflow`, as are the charts) and its PDF.

Operations only ``flush()``; the caller commits once. The background job
:func:`generate_pdf_job` is the exception: it runs on its own and commits its result.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.core import cache, jobs
from portal.core.markdown import markdown_html, sanitize_html
from portal.extensions import db
from portal.meetings.report import build as report
from portal.meetings.report import workflow
from portal.meetings.report.models import WRITTEN_SECTIONS, RakorReport, ReportStatus
from portal.meetings.report.workflow import ReportError as ReportError
from portal.meetings.report.workflow import may_approve as may_approve
from portal.meetings.report.workflow import save_written as save_written
from portal.meetings.report.workflow import store_pdf as store_pdf
from portal.people.models import Role, User

LIVE_TTL = 120

#: who reads reports that are not published (drafts and approved ones)
READER_ROLES = (Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)


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

def approve(rep: RakorReport, user: User) -> None:
    """Freeze the figures with their hash; the draft PDF is dropped (the final one is generated)."""
    workflow.freeze(rep, user, lambda: report.compile_report(rep.meeting),
                    denied="Hanya pimpinan atau petugas yang diberi hak persetujuan yang dapat menyetujui laporan.")
    workflow.drop_pdf(rep)


def publish(rep: RakorReport, user: User) -> None:
    """Publish an approved report whose final PDF is made."""
    workflow.publish(rep, user, needs_pdf=True)


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


def template_context(meeting: Any, rep: RakorReport | None, figures: dict[str, Any]) -> dict[str, Any]:
    """:func:`~portal.meetings.report.workflow.document_context` plus the meeting's own sections."""
    return {**workflow.document_context(rep, figures), "meeting": meeting, "m": figures.get("meeting", {}),
            "quarter_written": [dict(q, **{k: markdown_html(q.get(k)) for k in WRITTEN_SECTIONS})
                                for q in figures.get("quarter_written", [])],
            "minutes_html": sanitize_html((figures.get("meeting") or {}).get("minutes", {}).get("html", "")
                                          if (figures.get("meeting") or {}).get("minutes") else "")}


def render_pdf_bytes(meeting: Any, rep: RakorReport | None, figures: dict[str, Any]) -> bytes:
    """The report as PDF bytes (A4, table of contents, page numbers), always in Indonesian."""
    ctx = template_context(meeting, rep, figures)
    photos = [dict(p, src=photo_data_uri(p["stored_name"])) for p in ctx["m"].get("photos", [])]
    return workflow.render_pdf("pdf/report.html", rep, figures, **ctx, photos=[p for p in photos if p["src"]])


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

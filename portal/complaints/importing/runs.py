"""Whole runs: a batch's lifecycle (preview, confirm, import), uploaded files and background jobs."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.complaints.importing.normalising import ImportResult
from portal.complaints.importing.writing import BATCH_SIZE, KEEP_PORTAL, Importer, ProgressFn
from portal.complaints.models import ImportBatch
from portal.core import cache
from portal.core.db import utcnow
from portal.core.models import Job
from portal.extensions import db


def import_file(path: str | os.PathLike, *, dry_run: bool = False, actor_id: int | None = None,
                on_progress: ProgressFn | None = None, batch_size: int = BATCH_SIZE,
                create_categories: bool = True, batch_id: int | None = None,
                resolutions: dict[str, Any] | None = None, default_side: str = KEEP_PORTAL) -> ImportResult:
    """Run the importer; on success (and not a dry run) the caller commits.

    A conflict (LAPOR!'s row disagrees with the portal's own later work on status or OPD) applies
    ``resolutions[ID Laporan]["side"]``, else ``default_side``: the portal's values by default.
    """
    return Importer(path, dry_run=dry_run, actor_id=actor_id, on_progress=on_progress,
                    batch_size=batch_size, create_categories=create_categories, batch_id=batch_id,
                    resolutions=resolutions, default_side=default_side).run()


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def previous_import(sha256: str, exclude_id: int | None = None) -> ImportBatch | None:
    """The last successful import of a file with the same content."""
    q = sa.select(ImportBatch).where(ImportBatch.sha256 == sha256, ImportBatch.status == "done")
    if exclude_id is not None:
        q = q.where(ImportBatch.id != exclude_id)
    return db.session.scalar(q.order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(1))


def _record(batch: ImportBatch, result: ImportResult, status: str) -> None:
    batch.status = status
    batch.rows = result.rows
    batch.created = result.created
    batch.updated = result.updated
    batch.unchanged = result.unchanged
    batch.errors = result.error_count
    batch.error_report = [e.as_dict() for e in result.errors]
    batch.new_categories = list(result.new_categories)
    batch.conflicts = list(result.conflicts)
    batch.finished_at = utcnow()


def run_import(path: str | os.PathLike, batch: ImportBatch, *,
               on_progress: ProgressFn | None = None, create_categories: bool = True,
               default_side: str = KEEP_PORTAL) -> ImportResult:
    """Import for real and record the outcome in ``batch``: committed together, or rolled back.

    A failed attempt is still recorded (status ``failed``, with its errors) in a commit of its own.
    ``create_categories=False`` refuses rows whose category does not exist (the web import without
    the person's approval of the preview's new categories).
    """
    batch.status = "running"
    db.session.commit()
    batch_id = batch.id
    result = import_file(path, actor_id=batch.user_id, on_progress=on_progress,
                         create_categories=create_categories, batch_id=batch_id,
                         resolutions=dict(batch.resolutions or {}), default_side=default_side)
    batch = db.session.get(ImportBatch, batch_id)
    _record(batch, result, "done" if result.ok else "failed")
    db.session.commit()
    if result.ok:
        cache.bump_generation()
    return result


def run_preview(path: str | os.PathLike, batch: ImportBatch, *,
                on_progress: ProgressFn | None = None) -> ImportResult:
    """A dry run whose counts and errors are kept in ``batch`` (``preview`` or ``invalid``)."""
    batch_id = batch.id
    result = import_file(path, dry_run=True, actor_id=batch.user_id, on_progress=on_progress)
    batch = db.session.get(ImportBatch, batch_id)
    _record(batch, result, "preview" if result.ok else "invalid")
    db.session.commit()
    return result


# --- Uploaded files (outside static/, under random names) ----------------------------------------

def import_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(token: str) -> Path:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise ValueError("bad token")
    return import_dir() / token


def store_upload(stream: Any) -> tuple[str, str, int]:
    """Copy an uploaded stream to a random file in chunks; (token, sha256, size)."""
    token = secrets.token_urlsafe(24)
    h = hashlib.sha256()
    size = 0
    with open(stored_path(token), "wb") as out:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            h.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return token, h.hexdigest(), size


def discard_upload(token: str | None) -> None:
    if token:
        with contextlib.suppress(ValueError):
            stored_path(token).unlink(missing_ok=True)


def remove_stale_uploads(max_age_hours: float = 24) -> int:
    """Delete uploads nobody confirmed within ``max_age_hours``."""
    import time

    limit = time.time() - max_age_hours * 3600
    removed = 0
    for path in import_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --- Background jobs of the upload page ------------------------------------------------------------

#: progress of jobs running in this process: on SQLite the import's write transaction would block
#: a progress UPDATE from another connection, so the page reads it from here
LIVE_PROGRESS: dict[str, tuple[int, int, int]] = {}


def _reporter(job_id: str, writing: bool) -> ProgressFn:
    from portal.core import jobs

    sqlite = db.engine.dialect.name == "sqlite"

    def report(done: int, total: int, rows: int) -> None:
        LIVE_PROGRESS[job_id] = (done, total, rows)
        if not (writing and sqlite):
            jobs.progress(job_id, done, total, f"{rows} baris")

    return report


def _fail_batch(batch_id: int, reason: str) -> None:
    """Record that a batch's job stopped: ``failed`` with the reason, its upload deleted."""
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        return
    discard_upload(batch.stored_name)
    batch.stored_name = None
    batch.status = "failed"
    batch.error_report = [{"row": None, "id": "", "message": reason[:500]}]
    batch.errors = max(batch.errors, 1)
    batch.finished_at = utcnow()
    db.session.commit()


def _system_error(exc: BaseException) -> str:
    return f"Pemrosesan berhenti karena kesalahan sistem ({type(exc).__name__}: {exc})"


def preview_job(job_id: str, batch_id: int) -> dict[str, int]:
    """Dry run of an uploaded file; an invalid file is deleted at once (it cannot be confirmed)."""
    batch = db.session.get(ImportBatch, batch_id)
    try:
        result = run_preview(stored_path(batch.stored_name), batch, on_progress=_reporter(job_id, False))
    except Exception as exc:
        _fail_batch(batch_id, _system_error(exc))
        raise
    finally:
        LIVE_PROGRESS.pop(job_id, None)
    if not result.ok:
        batch = db.session.get(ImportBatch, batch_id)
        discard_upload(batch.stored_name)
        batch.stored_name = None
        db.session.commit()
    return result.counts()


def import_job(job_id: str, batch_id: int) -> dict[str, int]:
    """The confirmed import of an uploaded file; the file is deleted afterwards."""
    batch = db.session.get(ImportBatch, batch_id)
    token = batch.stored_name
    try:
        result = run_import(stored_path(token), batch, on_progress=_reporter(job_id, True))
    except Exception as exc:
        _fail_batch(batch_id, _system_error(exc))
        raise
    finally:
        LIVE_PROGRESS.pop(job_id, None)
        discard_upload(token)
    batch = db.session.get(ImportBatch, batch_id)
    batch.stored_name = None
    db.session.commit()
    return result.counts()


#: statuses while a job works on a batch
BUSY = ("checking", "pending", "running")
#: a job that has not finished after this long lost its worker (RQ's job timeout is one hour)
STALE_AFTER = dt.timedelta(hours=2)


def sweep_stale_batches(now: dt.datetime | None = None) -> int:
    """Mark failed every busy batch whose job is over, missing, or older than :data:`STALE_AFTER`.

    A worker that crashed (or a job that failed before it could record the batch) would otherwise
    leave the batch "checking" or "running" forever. Returns how many batches were marked.
    """
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(ImportBatch.id, ImportBatch.created_at, Job.status, Job.message, Job.created_at)
        .outerjoin(Job, Job.id == ImportBatch.job_id)
        .where(ImportBatch.status.in_(BUSY))
    ).all()
    swept = 0
    for batch_id, batch_created, job_status, job_message, job_created in rows:
        started = job_created or batch_created
        if job_status == "failed":
            reason = "Pemrosesan berhenti karena kesalahan sistem" + (f" ({job_message})" if job_message else "")
        elif job_status == "done":
            reason = "Pemrosesan selesai tanpa mencatat hasilnya; unggah ulang file."
        elif started is not None and now - started > STALE_AFTER:
            reason = "Pemrosesan tidak selesai (pekerja latar berhenti); unggah ulang file."
        else:
            continue
        _fail_batch(batch_id, reason)
        swept += 1
    return swept


def claim_for_import(batch: ImportBatch) -> str | None:
    """Move a previewed batch to ``pending`` unless it or another batch of the same file is busy.

    ``None`` when claimed; otherwise the reason, in the UI language. The conditional UPDATE and
    the partial unique index on ``sha256`` (busy batches only) keep concurrent confirmations to one.
    """
    from flask_babel import gettext as _

    other = db.session.scalar(
        sa.select(ImportBatch.id).where(ImportBatch.sha256 == batch.sha256, ImportBatch.id != batch.id,
                                        ImportBatch.status.in_(("pending", "running"))).limit(1))
    if other is not None:
        return _("File yang sama sedang diimpor (impor #%(n)s); tunggu sampai selesai, lalu lihat hasilnya di "
                 "sana.", n=other)
    try:
        claimed = db.session.execute(
            sa.update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "preview")
            .values(status="pending").execution_options(synchronize_session=False)).rowcount
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return _("File yang sama sedang diimpor; tunggu sampai selesai.")
    if not claimed:
        return _("Impor ini sudah dikonfirmasi; hanya satu impor yang dijalankan.")
    db.session.expire(batch)
    return None

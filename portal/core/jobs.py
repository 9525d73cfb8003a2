"""Background jobs with pollable progress: RQ on Redis when ``REDIS_URL`` is set, a thread otherwise.

A job function is given by dotted path and called as ``func(job_id, *args)`` inside an
application context; it reports progress with :func:`progress` and returns a JSON-able result.
``JOBS_EAGER`` (tests) runs it at once in a fresh application context.
"""

from __future__ import annotations

import importlib
import threading
import traceback
import uuid
from typing import Any

from flask import Flask, current_app

from portal.core.db import utcnow
from portal.core.models import Job
from portal.extensions import db

QUEUE_NAME = "portal"


#: job functions that moved, by their old dotted path: a job queued (RQ stores the path) before an upgrade
#: that moved its function still runs after it
MOVED = {
    "portal.complaints.importer.import_job": "portal.complaints.importing.runs.import_job",
    "portal.complaints.importer.preview_job": "portal.complaints.importing.runs.preview_job",
    "portal.complaints.importing.importer.import_job": "portal.complaints.importing.runs.import_job",
    "portal.complaints.importing.importer.preview_job": "portal.complaints.importing.runs.preview_job",
    "portal.meetings.report_ops.generate_pdf_job": "portal.meetings.report.operations.generate_pdf_job",
}


def _resolve(path: str):
    module, _, name = MOVED.get(path, path).rpartition(".")
    return getattr(importlib.import_module(module), name)


def enqueue(kind: str, func_path: str, *args: Any, user_id: int | None = None, total: int = 0) -> Job:
    """Create a job row (committed, so workers see it) and start the work."""
    job = Job(id=str(uuid.uuid4()), kind=kind, status="queued", total=total, created_by_id=user_id)
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_EAGER") or (app.config.get("TESTING") and not app.config.get("JOBS_QUEUE_IN_TESTS")):
        _run(app, job.id, func_path, args)
        db.session.expire_all()
    elif not _enqueue_rq(job.id, func_path, args):
        threading.Thread(target=_run, args=(app, job.id, func_path, args), daemon=True).start()
    return job


def _enqueue_rq(job_id: str, func_path: str, args: Any) -> bool:
    """Put the job on the RQ queue; ``False`` when Redis is absent or down (run in a thread then).

    The job row is already committed, so a Redis outage loses nothing: the fallback runs it here.
    """
    from portal.core.cache import mark_redis_down, redis_client

    r = redis_client()
    if r is None:
        return False
    from rq import Queue

    try:
        Queue(QUEUE_NAME, connection=r).enqueue(
            "portal.core.jobs.rq_entry", job_id, func_path, list(args), job_timeout=3600,
            job_id=f"portal-{job_id}", result_ttl=3600, failure_ttl=7 * 86400,
        )
    except Exception:
        mark_redis_down()
        return False
    return True


def _run(app: Flask, job_id: str, func_path: str, args: Any) -> None:
    with app.app_context():
        job = db.session.get(Job, job_id)
        if job is None:
            return
        job.status = "running"
        db.session.commit()
        try:
            result = _resolve(func_path)(job_id, *args)
        except Exception as exc:  # the job's own transaction is rolled back; record the failure
            db.session.rollback()
            app.logger.error("job %s (%s) failed: %s", job_id, func_path, type(exc).__name__)
            app.logger.debug(traceback.format_exc())
            job = db.session.get(Job, job_id)
            job.status = "failed"
            job.message = str(exc)[:2000]
            job.finished_at = utcnow()
            db.session.commit()
            return
        job = db.session.get(Job, job_id)
        job.status = "done"
        job.result = result if isinstance(result, dict) else {"value": result}
        job.progress = job.total or job.progress
        job.finished_at = utcnow()
        db.session.commit()


def progress(job_id: str | None, done: int, total: int | None = None, message: str | None = None) -> None:
    """Record progress from inside a job, on a separate connection so it is visible at once."""
    if not job_id:
        return
    values: dict[str, Any] = {"progress": done}
    if total is not None:
        values["total"] = total
    if message is not None:
        values["message"] = message
    with db.engine.begin() as conn:
        conn.execute(db.update(Job).where(Job.id == job_id).values(**values))


_rq_app: Flask | None = None


def rq_entry(job_id: str, func_path: str, args: list[Any]) -> None:
    """Entry point for RQ workers (``rq worker -u $REDIS_URL portal``)."""
    global _rq_app
    if _rq_app is None:
        from portal import create_app

        _rq_app = create_app()
    _run(_rq_app, job_id, func_path, args)

"""A web XLSX upload previewed and imported by the job queue (a thread, or RQ on Redis)."""

from __future__ import annotations

import signal
import time

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint, ImportBatch
from portal.core import jobs
from portal.core.models import Job
from portal.extensions import db
from tests.complaints.importing.test_web_xlsx import upload, xlsx_bytes
from tests.conftest import login


def _work(app) -> None:
    """Run what waits on the queue: an RQ worker in burst mode, or wait for the thread."""
    if not app.config["REDIS_URL"]:
        return
    from rq import Queue, SimpleWorker

    queue = Queue(jobs.QUEUE_NAME, connection=app.extensions["portal_redis"])
    jobs._rq_app = app
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        jobs._rq_app = None
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _wait(batch_id: int, *statuses: str) -> ImportBatch:
    """The batch once it reached one of ``statuses`` and its job is over (a thread may still be closing it)."""
    deadline = time.monotonic() + 30
    while True:
        db.session.expire_all()
        batch = db.session.get(ImportBatch, batch_id)
        job = db.session.get(Job, batch.job_id) if batch.job_id else None
        over = job is not None and job.status in ("done", "failed")
        if (batch.status in statuses and over) or time.monotonic() > deadline:
            return batch
        time.sleep(0.05)


@pytest.mark.db_commits  # the job runs in a thread or an RQ worker, on a connection of its own
@pytest.mark.app_config(JOBS_QUEUE_IN_TESTS=True)
def test_web_xlsx_import_through_the_queue(mode_app, make):
    make.opd("DINKES", "Dinas Kesehatan")
    user = make.user("kominfo")
    db.session.commit()
    client = mode_app.test_client()
    login(client, user)
    assert upload(client, xlsx_bytes(3)).status_code == 303
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    _work(mode_app)
    batch = _wait(batch.id, "preview", "invalid", "failed")
    assert (batch.status, batch.created) == ("preview", 3), batch.error_report
    client.post(f"/admin/impor/{batch.id}/konfirmasi")
    _work(mode_app)
    batch = _wait(batch.id, "done", "failed")
    assert batch.status == "done", batch.error_report
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 3

"""Rate limits, the aggregate cache and the job queue: in-process and on the real local Redis.

The Redis tests use db 15 of 127.0.0.1:6379 (``TEST_REDIS_URL``, set by .ci/run) and skip only when
that variable is unset. A Redis that is down (a closed port) must not stop the portal.
"""

from __future__ import annotations

import signal
import time

import pytest
import redis as redis_lib
import sqlalchemy as sa

from portal.core import cache, jobs
from portal.core.models import Job, OutboxMessage
from portal.extensions import db
from tests.production.conftest import TEST_REDIS_URL


def _redis():
    return redis_lib.Redis.from_url(TEST_REDIS_URL)


def test_mode_wiring(mode_app):
    r = mode_app.extensions["portal_redis"]
    if mode_app.config["REDIS_URL"]:
        assert r is not None and r.ping()
        assert mode_app.config["RATELIMIT_STORAGE_URI"] == mode_app.config["REDIS_URL"]
        assert mode_app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    else:
        assert r is None
        assert mode_app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_cache_computes_once_per_generation(mode_app):
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert cache.cached("t:stats", 60, compute) == {"n": 1}
    assert cache.cached("t:stats", 60, compute) == {"n": 1}
    cache.clear_local()  # a different process sees Redis' copy, not ours
    hit = cache.cached("t:stats", 60, compute)
    if mode_app.config["REDIS_URL"]:
        assert hit == {"n": 1} and len(calls) == 1
        assert _redis().keys("portal:*:t:stats:*")
    else:
        assert hit == {"n": 2}
    cache.bump_generation()
    assert cache.cached("t:stats", 60, compute)["n"] == len(calls)


def test_orm_commit_bumps_generation(mode_app, make):
    before = cache.generation()
    make.complaint()
    db.session.commit()
    assert cache.generation() > before


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3/minute")
def test_sign_in_throttled(mode_app):
    client = mode_app.test_client()
    codes = [client.post("/login", data={"email": "x@uji.go.id", "password": "salah"}).status_code
             for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    if mode_app.config["REDIS_URL"]:
        assert any(b"login" in k for k in _redis().keys("*"))


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="3/minute")
def test_cached_public_hits_share_cache_and_limit(mode_app, make, monkeypatch):
    """Cached pages come from the mode's cache and count on the mode's limit storage."""
    from portal.public import routes

    c = make.complaint(tracking_no="8880001")
    db.session.commit()
    rendered = []
    real = routes.public_view
    monkeypatch.setattr(routes, "public_view", lambda *a, **kw: rendered.append(1) or real(*a, **kw))
    client = mode_app.test_client()
    url = f"/lacak/{c.tracking_no}"
    assert client.get(url).status_code == 200
    cache.clear_local()  # another worker: nothing in its memory
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429
    if mode_app.config["REDIS_URL"]:
        assert len(rendered) == 1  # the second worker's hit came from Redis
        assert _redis().keys("portal:*:pub:page:*")
    else:
        assert len(rendered) == 2  # its own memory was empty: Flask rendered it again


def test_another_workers_change_is_seen_within_the_generation_memo(mode_app, monkeypatch):
    monkeypatch.setattr(cache, "GEN_MEMO_SECONDS", 60.0)
    cache.clear_local()
    before = cache.generation()
    if not mode_app.config["REDIS_URL"]:
        cache.bump_generation()
        assert cache.generation() > before
        return
    _redis().incr(f"portal:{cache.namespace(mode_app)}:datagen")  # another worker committed a change
    assert cache.generation() == before  # trusted for GEN_MEMO_SECONDS
    monkeypatch.setattr(cache, "GEN_MEMO_SECONDS", 0.0)
    cache.clear_local()
    assert cache.generation() == before + 1
    cache.bump_generation()  # our own change: seen at once
    assert cache.generation() == before + 2


def test_redis_down_cached_pages_still_serve(dead_redis_app, make):
    make.complaint(tracking_no="8880002")
    db.session.commit()
    client = dead_redis_app.test_client()
    assert [client.get("/lacak/8880002").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.db_commits  # the job runs in a thread or an RQ worker, on a connection of its own
def test_jobs_run(mode_app):
    job = jobs.enqueue("test", "tests.production.jobfuncs.add", 2, 3)
    db.session.refresh(job)
    assert job.status == "done" and job.result == {"sum": 5}


@pytest.mark.db_commits  # the job runs in a thread or an RQ worker, on a connection of its own
@pytest.mark.app_config(JOBS_QUEUE_IN_TESTS=True)
def test_jobs_go_through_rq_queue_portal(mode_app):
    if not mode_app.config["REDIS_URL"]:
        # without Redis the same call runs the job in a background thread of this process
        job = jobs.enqueue("test", "tests.production.jobfuncs.add", 20, 22)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.get(Job, job.id)
            if job.status in ("done", "failed"):
                break
            time.sleep(0.05)
        assert job.status == "done" and job.result == {"sum": 42}
        return
    from rq import Queue, SimpleWorker

    job = jobs.enqueue("test", "tests.production.jobfuncs.add", 20, 22)
    queue = Queue(jobs.QUEUE_NAME, connection=mode_app.extensions["portal_redis"])
    assert queue.count == 1
    db.session.refresh(job)
    assert job.status == "queued"
    jobs._rq_app = mode_app  # the worker would otherwise build the app from the environment
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        jobs._rq_app = None
        for sig, handler in handlers.items():  # RQ installs its own; the rest of the suite must not inherit them
            signal.signal(sig, handler)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "done" and job.result == {"sum": 42} and job.message == "added"


# --- Redis down ------------------------------------------------------------------------------------

def test_redis_down_portal_keeps_serving(dead_redis_app, make):
    make.complaint()
    db.session.commit()
    client = dead_redis_app.test_client()
    t0 = time.perf_counter()
    for url in ("/", "/login", "/"):
        assert client.get(url).status_code == 200
    assert time.perf_counter() - t0 < 5
    r = client.get("/healthz")
    assert r.status_code == 200  # the pages still serve: degraded, not down
    assert r.json["status"] == "degraded"
    assert r.json["redis"] == "error" and r.json["database"] == "ok"
    body = r.get_data(as_text=True)
    assert "127.0.0.1" not in body and "Connection" not in body and "refused" not in body


def test_redis_down_cache_falls_back(dead_redis_app):
    calls = []
    assert cache.cached("t:x", 60, lambda: calls.append(1) or 7) == 7
    assert cache.cached("t:x", 60, lambda: calls.append(1) or 7) == 7
    assert len(calls) == 1


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2/minute")
def test_redis_down_rate_limit_falls_back_to_memory(app):
    from tests.production.conftest import _derived_app, closed_port_url

    dead = _derived_app(app, REDIS_URL=closed_port_url(), REDIS_TIMEOUT=0.5, RATELIMIT_STORAGE_URI="memory://")
    with dead.app_context():
        client = dead.test_client()
        codes = [client.post("/login", data={"email": "x@uji.go.id", "password": "salah"}).status_code
                 for _ in range(3)]
    assert codes[-1] == 429 and 500 not in codes


@pytest.mark.db_commits  # the job runs in a thread or an RQ worker, on a connection of its own
@pytest.mark.app_config(JOBS_QUEUE_IN_TESTS=True)
def test_redis_down_jobs_run_in_process(app):
    from tests.production.conftest import _derived_app, closed_port_url

    dead = _derived_app(app, REDIS_URL=closed_port_url(), REDIS_TIMEOUT=0.5)
    with dead.app_context():
        job_id = jobs.enqueue("test", "tests.production.jobfuncs.add", 1, 1).id
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            db.session.expire_all()
            status = db.session.get(Job, job_id).status
            if status in ("done", "failed"):
                break
            time.sleep(0.05)
        assert status == "done"
        db.session.remove()


def test_redis_down_queued_mail_is_not_lost(dead_redis_app):
    from portal.core.mail import queue_email

    queue_email("warga@contoh.id", "Status laporan", "Laporan Anda diproses.", kind="status")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1

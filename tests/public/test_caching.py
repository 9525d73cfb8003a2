"""The cache (Flask-Caching, per app): isolation, sharing between workers, bounded keys, recompute limits."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from portal import create_app
from portal.core import cache
from portal.extensions import db
from tests.conftest import base_config


def _app(tmp_path, name: str, **extra):
    config = base_config(f"sqlite:///{tmp_path / name}.db", tmp_path)
    config.update(extra)
    application = create_app(config)
    with application.app_context():
        db.create_all()
    return application


def _add_complaints(application, n: int, status: str = "selesai") -> None:
    from portal.complaints.models import Complaint, Status

    with application.app_context():
        for i in range(n):
            db.session.add(Complaint(tracking_no=f"X{status[:3]}{i}", title="t", text="isi",
                                     status=Status(status),
                                     submitted_at=dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)))
        db.session.commit()


def test_two_apps_in_one_process_never_see_each_others_figures(tmp_path):
    """Each app has its own cache: same keys, same data generation, different databases."""
    one, two = _app(tmp_path, "one"), _app(tmp_path, "two")
    _add_complaints(one, 3)
    _add_complaints(two, 5)
    url = "/api/v1/stats?from=2025-01-01&to=2025-12-31"
    with one.app_context():
        gen_one = cache.generation()
    with two.app_context():
        gen_two = cache.generation()
    assert gen_one == gen_two  # the generation alone would not tell them apart
    first = one.test_client().get(url).get_json()
    second = two.test_client().get(url).get_json()
    assert (first["selesai"], second["selesai"]) == (3, 5)
    # and again, from the caches
    assert one.test_client().get(url).get_json()["selesai"] == 3
    assert two.test_client().get(url).get_json()["selesai"] == 5
    with one.app_context():
        assert cache.get("pub:recap:2025-01-01:2025-12-31::g" + str(gen_one))["selesai"] == 3


def test_backends_per_mode(tmp_path):
    testing = _app(tmp_path, "a")
    files = _app(tmp_path, "b", TESTING=False, CACHE_DIR=str(tmp_path / "c"))
    with testing.app_context():
        assert cache.backend_type() == "SimpleCache"
    with files.app_context():
        assert cache.backend_type() == "FileSystemCache"


def test_workers_share_values_and_generation_through_the_file_cache(tmp_path):
    """Without Redis two worker processes (two apps on one CACHE_DIR) share values and the generation."""
    shared = {"TESTING": False, "CACHE_DIR": str(tmp_path / "cache")}
    worker_a = _app(tmp_path, "db", **shared)
    worker_b = create_app({**base_config(f"sqlite:///{tmp_path / 'db'}.db", tmp_path), **shared})
    calls = []
    with worker_a.app_context():
        assert cache.cached("t:shared", 60, lambda: calls.append(1) or {"n": 1}) == {"n": 1}
    with worker_b.app_context():
        assert cache.cached("t:shared", 60, lambda: calls.append(1) or {"n": 2}) == {"n": 1}
        gen = cache.generation()
        cache.bump_generation()
    with worker_a.app_context():
        assert cache.generation() > gen  # b's change, seen by a at once
        assert cache.cached("t:shared", 60, lambda: calls.append(1) or {"n": 3}) == {"n": 3}
    assert len(calls) == 2


def test_a_commit_in_one_worker_invalidates_the_other(tmp_path):
    shared = {"TESTING": False, "CACHE_DIR": str(tmp_path / "cache")}
    worker_a = _app(tmp_path, "db", **shared)
    worker_b = create_app({**base_config(f"sqlite:///{tmp_path / 'db'}.db", tmp_path), **shared})
    url = "/api/v1/stats?from=2025-01-01&to=2025-12-31"
    assert worker_b.test_client().get(url).get_json()["selesai"] == 0
    _add_complaints(worker_a, 2)
    assert worker_b.test_client().get(url).get_json()["selesai"] == 2


def test_stale_value_while_another_thread_recomputes(app):
    assert cache.cached("t:stale", 60, lambda: 1, stale=60) == 1
    cache.bump_generation()
    holding, release = threading.Event(), threading.Event()

    def other_worker():
        with app.app_context(), cache._compute_lock("t:stale", 0):
            holding.set()
            release.wait(10)

    t = threading.Thread(target=other_worker)
    t.start()
    try:
        assert holding.wait(10)
        # the lock is taken: the previous generation's value, at once, instead of waiting
        assert cache.cached("t:stale", 60, lambda: 2, stale=60) == 1
    finally:
        release.set()
        t.join()
    assert cache.cached("t:stale", 60, lambda: 3, stale=60) == 3


def test_junk_query_strings_create_no_cache_entries(app, client):
    paths = ["/", "/api/v1/stats", "/api/v1/stats/opd", "/opd/NOPE", "/grafik/status.svg"]
    for path in paths:
        client.get(path)
    before = cache.entries()
    for i in range(1500):
        path = paths[i % len(paths)]
        resp = client.get(f"{path}?utm_source=x{i}&q{i}={i}&sort=junk{i}")
        assert resp.status_code in (200, 404)
    assert cache.entries() - before <= 2  # at most a period-level "last" value, never one per request


def test_one_period_spelled_many_ways_is_one_entry(app, client):
    client.get("/api/v1/stats?from=2025-01-01&to=2025-12-31")
    before = cache.entries()
    for spelling in ("from=2025-01-01&to=2025-12-31&x=1", "to=2025-12-31&from=2025-01-01",
                     "from=%202025-01-01&to=2025-12-31%20", "from=2025-01-01&to=2025-12-31&opd="):
        resp = client.get(f"/api/v1/stats?{spelling}")
        assert resp.status_code == 200
    assert cache.entries() == before


def test_invalid_periods_share_one_entry_per_error(app, client):
    client.get("/?from=bogus0")
    before = cache.entries()
    for i in range(1, 50):
        assert client.get(f"/?from=bogus{i}").status_code == 200
    assert cache.entries() == before


@pytest.mark.app_config(CACHE_THRESHOLD=40)
def test_the_in_memory_cache_is_bounded(app, client):
    start = dt.date(2020, 1, 1)
    for i in range(300):
        day = start + dt.timedelta(days=i)
        assert client.get(f"/api/v1/stats?from={day}&to=2025-12-31").status_code == 200
    assert cache.entries() <= 41


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_RECOMPUTE="3/minute")
@pytest.mark.parametrize("path", ["/", "/grafik/status.svg", "/opd/{code}"])
def test_recomputing_views_are_rate_limited_per_new_period(app, client, make, path):
    agency = make.opd(code="DKR")
    db.session.commit()
    path = path.format(code=agency.code)
    codes = [client.get(f"{path}?from=2024-01-0{i}").status_code for i in range(1, 6)]
    assert codes[:3] == [200, 200, 200] and codes[4] == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_RECOMPUTE="3/minute")
def test_cached_pages_never_count_against_the_recompute_limit(app, client):
    codes = [client.get("/?from=2024-01-01").status_code for _ in range(20)]
    assert codes == [200] * 20


def test_the_public_list_is_cached_but_never_a_search(app, client, make):
    make.complaint(tracking_no="LIST1", status="proses")
    db.session.commit()
    assert b"LIST1" in client.get("/laporan").data
    before = cache.entries()
    for spelling in ("/laporan?utm=1", "/laporan?hal=abc", "/laporan?status=bogus1", "/laporan?status=bogus2"):
        assert client.get(spelling).status_code == 200
    assert cache.entries() - before <= 2  # "hal=abc" is page 1's entry; both bogus statuses share one
    assert b"LIST1" in client.get("/laporan?q=Laporan").data
    assert cache.entries() - before <= 2  # searches are not stored

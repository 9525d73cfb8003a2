"""Fixtures for production tests: the real local Redis (db 15 via ``TEST_REDIS_URL``) and a dead one."""

from __future__ import annotations

import os
import socket

import pytest

from portal.core import cache
from portal.extensions import limiter

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


def closed_port_url() -> str:
    """A Redis URL on a loopback port where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def redis_url():
    """``TEST_REDIS_URL`` (db 15), emptied before and after the test."""
    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set (.ci/run sets it when Redis answers on 127.0.0.1:6379)")
    import redis

    r = redis.Redis.from_url(TEST_REDIS_URL)
    r.flushdb()
    yield TEST_REDIS_URL
    r.flushdb()
    r.close()


@pytest.fixture(autouse=True)
def _fresh_fallback_state():
    cache.reset_redis_state()
    cache.clear_local()
    yield
    cache.reset_redis_state()
    cache.clear_local()
    limiter._storage_dead = False  # the extension object is shared by every app the tests create


def build_app(app_factory_config: dict):
    from portal import create_app

    return create_app(app_factory_config)


def _derived_app(app, **overrides):
    from portal import create_app

    config = {k: v for k, v in app.config.items() if k.isupper()}
    config.update(overrides)
    return create_app(config)


@pytest.fixture(params=["in-process", "redis"])
def mode_app(request, app):
    """The app in both modes: without Redis, and on the real local Redis (db 15)."""
    if request.param == "in-process":
        yield app
        return
    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set (.ci/run sets it when Redis answers on 127.0.0.1:6379)")
    import redis

    r = redis.Redis.from_url(TEST_REDIS_URL)
    r.flushdb()
    marker = request.node.get_closest_marker("app_config")
    extra = dict(marker.kwargs) if marker else {}
    redis_app = _derived_app(app, **extra, REDIS_URL=TEST_REDIS_URL, RATELIMIT_STORAGE_URI="memory://")
    with redis_app.app_context():
        yield redis_app
    r.flushdb()
    r.close()


@pytest.fixture
def dead_redis_app(app):
    """The app configured with a Redis that is down (a closed loopback port)."""
    dead = _derived_app(app, REDIS_URL=closed_port_url(), RATELIMIT_STORAGE_URI="memory://", REDIS_TIMEOUT=0.5)
    with dead.app_context():
        yield dead

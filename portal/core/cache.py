"""A small cache: Redis when ``REDIS_URL`` is set, in-process otherwise.

Aggregates are cached under keys that include a data generation number; every commit
that touches complaints bumps it, so "real-time" stays cheap and never stale for long.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from flask import current_app

_local: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()
_GEN_KEY = "portal:datagen"


#: seconds to leave Redis alone after a failure, so an outage costs one timeout, not one per call
RETRY_AFTER = 15.0
_down_until = [0.0]


def redis_client():
    """The app's Redis client, or ``None`` when Redis is not configured or failed recently."""
    r = current_app.extensions.get("portal_redis")
    if r is None or time.monotonic() < _down_until[0]:
        return None
    return r


def mark_redis_down() -> None:
    """Remember a Redis failure: callers use their in-process fallback for a while."""
    _down_until[0] = time.monotonic() + RETRY_AFTER
    current_app.logger.warning("redis unavailable: in-process fallback for %ss", int(RETRY_AFTER))


def reset_redis_state() -> None:
    _down_until[0] = 0.0


_redis = redis_client


def get(key: str) -> Any | None:
    r = _redis()
    if r is not None:
        try:
            raw = r.get(f"portal:c:{key}")
            return json.loads(raw) if raw is not None else None
        except Exception:  # Redis down: fall through to the local cache
            mark_redis_down()
    with _lock:
        item = _local.get(key)
    if item and item[0] > time.monotonic():
        return json.loads(item[1])
    return None


def set(key: str, value: Any, ttl: int) -> None:  # noqa: A001 - mirrors cache APIs
    raw = json.dumps(value, default=str)
    r = _redis()
    if r is not None:
        try:
            r.setex(f"portal:c:{key}", ttl, raw)
            return
        except Exception:
            mark_redis_down()
    with _lock:
        if len(_local) > 5000:
            _local.clear()
        _local[key] = (time.monotonic() + ttl, raw)


def generation() -> int:
    r = _redis()
    if r is not None:
        try:
            return int(r.get(_GEN_KEY) or 0)
        except Exception:
            mark_redis_down()
    return _local_gen[0]


_local_gen = [0]


def bump_generation() -> None:
    _local_gen[0] += 1
    r = _redis()
    if r is not None:
        try:
            r.incr(_GEN_KEY)
        except Exception:
            mark_redis_down()


def clear_local() -> None:
    with _lock:
        _local.clear()


_WATCHED = ("complaint", "followup", "complaint_event", "reporter")


def _after_flush(session, _ctx) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in _WATCHED:
            session.info["portal_data_changed"] = True
            return


def _after_commit(session) -> None:
    if session.info.pop("portal_data_changed", False):
        try:
            bump_generation()
        except RuntimeError:  # outside an app context (scripts): nothing cached there
            _local_gen[0] += 1


def _after_rollback(session) -> None:
    session.info.pop("portal_data_changed", None)


def init_app() -> None:
    """Bump the data generation after every commit that changed complaints (ORM writes).

    Bulk writes outside the ORM (imports, demo data) call :func:`bump_generation` themselves.
    """
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def cached(key: str, ttl: int, compute):
    """``compute()`` cached under ``key`` for the current data generation."""
    full = f"{key}:g{generation()}"
    value = get(full)
    if value is None:
        value = compute()
        set(full, value, ttl)
    return value

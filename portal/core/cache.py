"""A small cache: Redis when ``REDIS_URL`` is set, in-process otherwise.

Aggregates are cached under keys that include a data generation number; every commit
that touches complaints bumps it, so "real-time" stays cheap and never stale for long (with Redis,
another worker's change is seen within ``GEN_MEMO_SECONDS``; without, at once).

Without Redis, the worker processes of one host still share two things through files in
``CACHE_DIR`` (default ``instance/cache/<database>``; off under TESTING): the data generation (so a
write in one worker invalidates every worker's entries) and the values cached with ``shared=True``
(expensive aggregates such as the dashboard's: one worker computes them, under a file lock, and the
others read its result instead of recomputing).
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import os
import threading
import time
from pathlib import Path
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


def shared_dir() -> Path | None:
    """The directory the worker processes share (no Redis), or ``None`` when file sharing is off."""
    app = current_app
    d = app.config.get("CACHE_DIR")
    if d is None:
        if app.config.get("TESTING"):
            return None
        url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
        d = Path(app.instance_path) / "cache" / hashlib.sha1(url.encode()).hexdigest()[:12]  # noqa: S324
        app.config["CACHE_DIR"] = str(d)
    if not d:
        return None
    ready = _ready_dirs.get(d)
    if ready is not None:
        return ready
    path = Path(d)
    if not path.is_dir():
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only instance folder: each process keeps its own cache
            app.logger.warning("cache directory %s not writable: per-process cache", path)
            app.config["CACHE_DIR"] = ""
            return None
    _ready_dirs[d] = path
    return path


#: directories known to exist: ``{CACHE_DIR: Path}``
_ready_dirs: dict[str, Path] = {}


def _file_for(directory: Path, key: str) -> Path:
    return directory / (hashlib.sha1(key.encode()).hexdigest() + ".json")  # noqa: S324 - a file name


def _file_get(key: str) -> Any | None:
    d = shared_dir()
    if d is None:
        return None
    try:
        exp, raw = _file_for(d, key).read_text().split("\n", 1)
    except (OSError, ValueError):
        return None
    if float(exp) < time.time():
        return None
    with _lock:
        _local[key] = (time.monotonic() + max(0.0, float(exp) - time.time()), raw)
    return json.loads(raw)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _file_set(key: str, raw: str, ttl: int) -> None:
    d = shared_dir()
    if d is None:
        return
    with contextlib.suppress(OSError):
        _atomic_write(_file_for(d, key), f"{time.time() + ttl}\n{raw}")


def get(key: str, shared: bool = False) -> Any | None:
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
    if shared:
        return _file_get(key)
    return None


def set(key: str, value: Any, ttl: int, shared: bool = False) -> None:  # noqa: A001 - mirrors cache APIs
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
    if shared:
        _file_set(key, raw, ttl)


_GEN_FILE = "datagen"


#: seconds a worker trusts the data generation it last read from Redis (its own bumps count at once):
#: a change made in another worker reaches this one's cached pages within this time
GEN_MEMO_SECONDS = 0.5
#: ``{id(redis client): (generation, monotonic expiry)}``
_gen_memo: dict[int, tuple[int, float]] = {}


def generation() -> int:
    r = _redis()
    if r is not None:
        now = time.monotonic()
        memo = _gen_memo.get(id(r))
        if memo is not None and memo[1] > now:
            return memo[0]
        try:
            value = int(r.get(_GEN_KEY) or 0)
        except Exception:
            mark_redis_down()
        else:
            _gen_memo[id(r)] = (value, now + GEN_MEMO_SECONDS)
            return value
    d = shared_dir()
    if d is not None:
        return _file_generation(d / _GEN_FILE)
    return _local_gen[0]


_local_gen = [0]
#: the generation file last read: ``{path: ((inode, mtime, size), value)}`` (a stat per call, a read per change)
_gen_seen: dict[Path, tuple[tuple[int, int, int], int]] = {}


def _file_generation(path: Path) -> int:
    try:
        st = os.stat(path)
        sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        seen = _gen_seen.get(path)
        if seen is not None and seen[0] == sig:
            return seen[1]
        value = int(path.read_text() or 0)
    except (OSError, ValueError):
        return _local_gen[0]
    _gen_seen[path] = (sig, value)
    return value


def bump_generation() -> None:
    _local_gen[0] += 1
    r = _redis()
    if r is not None:
        try:
            _gen_memo[id(r)] = (int(r.incr(_GEN_KEY)), time.monotonic() + GEN_MEMO_SECONDS)
            return
        except Exception:
            mark_redis_down()
    d = shared_dir()
    if d is not None:
        # a new, larger value (nanoseconds): two workers bumping at once still both change it
        value = max(generation() + 1, time.time_ns())
        _local_gen[0] = value
        with contextlib.suppress(OSError):
            _atomic_write(d / _GEN_FILE, str(value))


def clear_local() -> None:
    """Forget what this process holds (tests use it to play another worker)."""
    with _lock:
        _local.clear()
        _gen_memo.clear()


#: tables whose changes show on cached pages: complaints, and the names and settings printed beside them
_WATCHED = ("complaint", "followup", "complaint_event", "reporter", "opd", "category", "setting")


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


def peek(key: str) -> Any | None:
    """What :func:`cached` holds under ``key`` for the current data generation, without computing it."""
    return get(f"{key}:g{generation()}")


def cached(key: str, ttl: int, compute, shared: bool = False, stale: int = 0):
    """``compute()`` cached under ``key`` for the current data generation.

    ``shared``: without Redis, share the value with the other worker processes through a file, and
    let only one process compute it at a time (the others wait for its result). ``stale``: while
    another process or thread recomputes after a data change, answer with the previous generation's
    value if it is at most ``stale`` seconds old (expensive aggregates at a million rows).
    """
    full = f"{key}:g{generation()}"
    value = get(full, shared)
    if value is not None:
        return value
    if not shared:
        value = compute()
        set(full, value, ttl)
        return value
    with _compute_lock(key, stale) as mine:
        if not mine:  # someone else is computing: the previous value, if young enough
            last = get(f"{key}:last", True)
            if last is not None:
                return last
        with _compute_lock(key, 0):
            value = get(full, True)
            if value is None:
                value = compute()
                set(full, value, ttl, True)
                if stale:
                    set(f"{key}:last", value, stale, True)
    return value


_thread_locks: dict[str, threading.Lock] = {}


@contextlib.contextmanager
def _compute_lock(key: str, stale: int):
    """Hold the compute lock of ``key`` (threads, then processes via flock); yields whether we hold it.

    With ``stale`` it does not wait: it yields ``False`` when the lock is taken. Reentrant for the
    thread holding it (the nested call in :func:`cached` is then a no-op).
    """
    held = getattr(_held, "keys", None)
    if held is None:
        held = _held.keys = builtins.set()
    if key in held:
        yield True
        return
    with _lock:
        tlock = _thread_locks.setdefault(key, threading.Lock())
    if not tlock.acquire(blocking=not stale):
        yield False
        return
    fh = None
    try:
        d = shared_dir() if _redis() is None else None
        if d is not None:
            import fcntl

            fh = open(_file_for(d, key).with_suffix(".lock"), "a")  # noqa: SIM115
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (fcntl.LOCK_NB if stale else 0))
            except BlockingIOError:
                fh.close()
                fh = None
                yield False
                return
        held.add(key)
        try:
            yield True
        finally:
            held.discard(key)
    finally:
        if fh is not None:
            fh.close()  # releases the flock
        tlock.release()


_held = threading.local()

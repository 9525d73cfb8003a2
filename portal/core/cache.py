"""The app's cache: Flask-Caching, one backend PER APP, values keyed by a data generation.

The backend (``app.extensions["portal_cache"]``, a :class:`flask_caching.Cache` bound to that app):

- ``REDIS_URL`` set: Redis (``RedisCache`` on the app's own client, so it shares its timeouts), keys
  under ``portal:<namespace>:``; a Redis failure falls back to a bounded in-process ``SimpleCache`` for
  :data:`RETRY_AFTER` seconds;
- otherwise, outside tests: a cachelib ``FileSystemCache`` in ``CACHE_DIR`` (default
  ``instance/cache/<namespace>``), shared by the worker processes of the host — one worker computes an
  aggregate, the others read it, and a write in one worker invalidates every worker's entries;
- under TESTING (or ``CACHE_DIR=""``): a ``SimpleCache`` in this process.

Every backend is bounded by ``CACHE_THRESHOLD`` entries (default 2000; the file cache prunes, the
in-memory caches drop the oldest). The namespace (``CACHE_NAMESPACE``, default a hash of the database
URL) keeps two apps on one Redis or one instance folder apart; each in-memory backend belongs to its
app, so two apps in one process never answer with each other's figures.

Aggregates are cached under keys that include the data generation number; every commit that touches
complaints bumps it, so "real-time" stays cheap and never stale for long (with Redis, another worker's
change is seen within :data:`GEN_MEMO_SECONDS`; with the file cache, at once). Values are stored as
JSON text, so every backend answers with the same types (dates as ISO strings).
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context, has_request_context, request

_GEN_KEY = "datagen"
#: the WSGI environ key set when a request computed a cached value (a miss)
RECOMPUTED = "portal.recomputed"
#: entries each backend keeps at most (``CACHE_THRESHOLD`` overrides)
DEFAULT_THRESHOLD = 2000

#: seconds to leave Redis alone after a failure, so an outage costs one timeout, not one per call
RETRY_AFTER = 15.0
_down_until = [0.0]

#: seconds a worker trusts the data generation it last read from Redis (its own bumps count at once)
GEN_MEMO_SECONDS = 0.5

#: bytes of prepared page answers each worker keeps in memory (``PAGE_MEMO_BYTES`` overrides; 0: none)
DEFAULT_MEMO_BYTES = 32 * 1024 * 1024
#: seconds past its expiry a memoised answer may still be served while its successor is rendered
MEMO_GRACE = 30.0
#: seconds one request has to renew an expired memoised answer before another may try
CLAIM_SECONDS = 5.0


class _State:
    """What one app keeps in this process besides its backend."""

    def __init__(self, threshold: int, memo_bytes: int = DEFAULT_MEMO_BYTES) -> None:
        from cachelib import SimpleCache

        self.fallback = SimpleCache(threshold=threshold)  # while Redis is down
        self.memo = Memo(memo_bytes)
        self.gen_memo: tuple[int, float] | None = None  # Redis generation, monotonic expiry
        self.local_gen = 0  # the generation when nothing is shared
        self.lock = threading.Lock()
        self.computing: dict[str, threading.Lock] = {}
        self.gen_store: Any = None  # without Redis, across processes: a FileSystemCache that never prunes


class Memo:
    """What a worker keeps IN MEMORY of the shared cache: values already decoded and prepared.

    Keys carry the data generation (as every cache key does), so a change to the data never answers
    from here. Each value is fresh until the time its caller gives (the shared entry's own expiry); after
    that it may still be served for :data:`MEMO_GRACE` seconds while ONE request of this worker renders
    its successor (:meth:`claim`), so an expiry costs one render per worker, not one per waiting thread
    (stale-while-revalidate; only time-dependent text can be that much older, never the data). A
    ``cachetools.TLRUCache`` bounded by the size its caller states, least recently used out first, behind
    a lock (the gthread workers' threads share it). Used by the fast path (:mod:`portal.public.pagecache`):
    a cached dashboard is 40 kB of JSON-encoded text whose decoding cost more than the rest of a hit.
    """

    def __init__(self, max_bytes: int) -> None:
        from cachetools import TLRUCache

        self._lock = threading.Lock()
        self._claims: dict[str, float] = {}
        self._cache: TLRUCache | None = None
        if max_bytes > 0:
            # the timer looks ``time.time`` up on each call, so a test's clock reaches it
            self._cache = TLRUCache(maxsize=max_bytes, ttu=lambda _k, value, _now: value[0] + MEMO_GRACE,
                                    timer=lambda: time.time(), getsizeof=lambda value: value[1])

    def get(self, key: str) -> tuple[Any, bool] | None:
        """``(value, fresh)``, or ``None`` when nothing (or nothing within the grace) is kept."""
        if self._cache is None:
            return None
        with self._lock:
            found = self._cache.get(key)
        return None if found is None else (found[2], time.time() < found[0])

    def set(self, key: str, value: Any, size: int, expires: float) -> None:
        """Keep ``value`` (about ``size`` bytes), fresh until ``expires`` (a ``time.time()``), if it fits."""
        if self._cache is None or size > self._cache.maxsize or expires <= time.time():
            return
        with self._lock:
            self._cache[key] = (expires, size, value)
            self._claims.pop(key, None)

    def claim(self, key: str) -> bool:
        """Whether the caller is the one to renew ``key`` now (no one else claimed it in the last
        :data:`CLAIM_SECONDS`); the others go on serving the stale value."""
        now = time.monotonic()
        with self._lock:
            if self._claims.get(key, 0.0) > now:
                return False
            if len(self._claims) > 1024:
                self._claims = {k: t for k, t in self._claims.items() if t > now}
            self._claims[key] = now + CLAIM_SECONDS
            return True

    def clear(self) -> None:
        with self._lock:
            self._claims.clear()
            if self._cache is not None:
                self._cache.clear()

    def __len__(self) -> int:
        return 0 if self._cache is None else len(self._cache)


def memo() -> Memo:
    """The current app's in-memory :class:`Memo`."""
    return _state().memo


def namespace(app: Flask) -> str:
    """``CACHE_NAMESPACE``, default a short hash of the database URL."""
    ns = app.config.get("CACHE_NAMESPACE")
    if not ns:
        url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
        ns = hashlib.sha1(url.encode()).hexdigest()[:12]  # noqa: S324 - a name, not a secret
    return str(ns)


def init_app(app: Flask) -> None:
    """Bind a Flask-Caching backend to ``app`` and bump the generation after commits that changed data."""
    from flask_caching import Cache

    threshold = int(app.config.get("CACHE_THRESHOLD", DEFAULT_THRESHOLD))
    ns = namespace(app)
    backend: dict[str, Any] = {"CACHE_THRESHOLD": threshold, "CACHE_DEFAULT_TIMEOUT": 300}
    client = app.extensions.get("portal_redis")
    directory = app.config.get("CACHE_DIR")
    if client is not None:
        backend.update(CACHE_TYPE="RedisCache", CACHE_REDIS_HOST=client, CACHE_KEY_PREFIX=f"portal:{ns}:")
    elif directory is None and not app.config.get("TESTING"):
        directory = str(Path(app.instance_path) / "cache" / ns)
    if client is None and directory:
        try:
            Path(directory).mkdir(parents=True, exist_ok=True)
            backend.update(CACHE_TYPE="FileSystemCache", CACHE_DIR=directory)
        except OSError:  # a read-only instance folder: each process keeps its own cache
            app.logger.warning("cache directory %s not writable: per-process cache", directory)
    backend.setdefault("CACHE_TYPE", "SimpleCache")
    ext = Cache(app, config=backend)
    state = _State(threshold, int(app.config.get("PAGE_MEMO_BYTES", DEFAULT_MEMO_BYTES)))
    if backend["CACHE_TYPE"] == "FileSystemCache":
        from cachelib import FileSystemCache

        # apart from the values, so pruning them never forgets the generation
        state.gen_store = FileSystemCache(str(Path(directory) / "generation"), threshold=0)
    app.extensions["portal_cache"] = ext
    app.extensions["portal_cache_state"] = state
    _listen()


def _ext():
    return current_app.extensions["portal_cache"]


def _state() -> _State:
    return current_app.extensions["portal_cache_state"]


def backend_type() -> str:
    """``RedisCache``, ``FileSystemCache`` or ``SimpleCache`` (the configured one)."""
    return type(_ext().cache).__name__


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


def _backend():
    """The backend to use now: the app's, or its in-process fallback while Redis is down."""
    if current_app.extensions.get("portal_redis") is not None and redis_client() is None:
        return _state().fallback
    return _ext().cache


def _call(method: str, *args):
    backend = _backend()
    try:
        return getattr(backend, method)(*args)
    except Exception:
        if backend is _state().fallback or current_app.extensions.get("portal_redis") is None:
            raise
        mark_redis_down()
        return getattr(_state().fallback, method)(*args)


def get(key: str, shared: bool = False) -> Any | None:  # ``shared``: kept for callers; every backend is shared
    raw = _call("get", key)
    return json.loads(raw) if raw is not None else None


def set(key: str, value: Any, ttl: int, shared: bool = False) -> None:  # noqa: A001 - mirrors cache APIs
    _call("set", key, json.dumps(value, default=str), ttl)


def entries() -> int:
    """How many entries the in-process backend holds (tests; 0 for Redis and files)."""
    backend = _backend()
    return len(getattr(backend, "_cache", {}))


def generation() -> int:
    state = _state()
    if current_app.extensions.get("portal_redis") is not None and redis_client() is not None:
        now = time.monotonic()
        if state.gen_memo is not None and state.gen_memo[1] > now:
            return state.gen_memo[0]
        try:
            value = int(_ext().cache.get(_GEN_KEY) or 0)
        except Exception:
            mark_redis_down()
        else:
            state.gen_memo = (value, now + GEN_MEMO_SECONDS)
            return value
        return state.local_gen
    if state.gen_store is not None:
        try:
            return int(state.gen_store.get(_GEN_KEY) or 0)
        except (OSError, ValueError):
            return state.local_gen
    return state.local_gen


def bump_generation() -> None:
    state = _state()
    state.local_gen += 1
    kind = backend_type()
    if kind == "RedisCache" and redis_client() is not None:
        try:
            # an atomic INCR on the backend's own key (cachelib's ``inc`` is INCRBY)
            state.gen_memo = (int(_ext().cache.inc(_GEN_KEY)), time.monotonic() + GEN_MEMO_SECONDS)
            return
        except Exception:
            mark_redis_down()
    if state.gen_store is not None:
        # a new, larger value (nanoseconds): two workers bumping at once still both change it
        value = max(generation() + 1, time.time_ns())
        state.local_gen = value
        with contextlib.suppress(OSError):
            state.gen_store.set(_GEN_KEY, value, 0)


def clear_local() -> None:
    """Forget what this process holds for the current app (tests use it to play another worker).

    The in-process backend (``SimpleCache``) is emptied; Redis and the file cache are shared, so only
    the generation memo and the fallback are forgotten.
    """
    if not has_app_context():
        return
    state = _state()
    with state.lock:
        state.fallback.clear()
        state.gen_memo = None
    state.memo.clear()
    if backend_type() == "SimpleCache":
        _ext().cache.clear()


#: tables whose changes show on cached pages: complaints, and the names and settings printed beside them
_WATCHED = ("complaint", "followup", "complaint_event", "reporter", "opd", "category", "setting")


def _after_flush(session, _ctx) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in _WATCHED:
            session.info["portal_data_changed"] = True
            return


def _after_commit(session) -> None:
    if session.info.pop("portal_data_changed", False) and has_app_context():
        bump_generation()


def _after_rollback(session) -> None:
    session.info.pop("portal_data_changed", None)


def _listen() -> None:
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

    One thread of this process computes a key at a time (the others wait for its result). With
    ``stale``, while another thread recomputes after a data change, answer with the previous
    generation's value if it is at most ``stale`` seconds old (expensive aggregates).
    """
    full = f"{key}:g{generation()}"
    value = get(full)
    if value is not None:
        return value
    with _compute_lock(key, stale) as mine:
        if not mine:  # someone else is computing: the previous value, if young enough
            last = get(f"{key}:last")
            if last is not None:
                return last
            with _compute_lock(key, 0):
                pass  # wait for it
        value = get(full)
        if value is None:
            value = compute()
            if has_request_context():
                request.environ[RECOMPUTED] = True  # read by the rate limit of the recomputing views
            set(full, value, ttl)
            if stale:
                set(f"{key}:last", value, stale)
    return value


@contextlib.contextmanager
def _compute_lock(key: str, stale: int):
    """Hold this app's compute lock of ``key``; yields whether we hold it.

    With ``stale`` it does not wait: it yields ``False`` when the lock is taken. Reentrant for the
    thread holding it.
    """
    held = getattr(_held, "keys", None)
    if held is None:
        held = _held.keys = builtins.set()
    state = _state()
    token = (id(state), key)
    if token in held:
        yield True
        return
    with state.lock:
        lock = state.computing.setdefault(key, threading.Lock())
        if len(state.computing) > 4 * DEFAULT_THRESHOLD:  # bounded: unknown keys come and go
            state.computing = {key: lock}
    if not lock.acquire(blocking=not stale):
        yield False
        return
    held.add(token)
    try:
        yield True
    finally:
        held.discard(token)
        lock.release()


_held = threading.local()

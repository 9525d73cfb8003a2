"""Full open-data exports written to a file once per data generation and served with ETag and Range.

A full download (no period) used to run the export query and the anonymisation for every request:
twenty concurrent downloads pushed a tracking page from 2 ms to 4.5 s. Now the existing
row generator of :mod:`portal.public.opendata` is written ONCE to ``EXPORT_DIR`` (default
``instance/exports/<cache namespace>``) per data generation and the file is served by
``send_file(conditional=True)``: ETag, ``If-None-Match`` → 304, ``Range`` → 206, at disk speed.

While a newer generation's file is being written (one writer per host: a lock file), requests get the
previous file. When there is no file at all, a small database (at most ``EXPORT_INLINE_ROWS``
complaints) has it written by the request; a large one starts the writer in the background and answers
503 with ``Retry-After`` — 1M complaints take minutes, longer than nginx waits for an answer (65 s). The
daily job and ``flask --app portal exports build`` write the files ahead, so that case is a new
installation's first hour at most.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from flask import current_app, send_file

from portal.core import cache

#: seconds after which another process's writer lock is considered abandoned
LOCK_SECONDS = 1800
_thread_lock = threading.Lock()


def export_dir() -> Path:
    d = current_app.config.get("EXPORT_DIR") or str(Path(current_app.instance_path) / "exports"
                                                    / cache.namespace(current_app))
    path = Path(d)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(directory: Path, name: str) -> Path:
    """The file of export ``name`` for the current data generation."""
    stem, ext = name.rsplit(".", 1)
    return directory / f"{stem}-g{cache.generation()}.{ext}"


def _files(directory: Path, name: str) -> list[Path]:
    """This export's finished files, newest generation first."""
    stem, ext = name.rsplit(".", 1)
    found = []
    for p in directory.glob(f"{stem}-g*.{ext}"):
        with contextlib.suppress(ValueError):
            found.append((int(p.name[len(stem) + 2:-len(ext) - 1]), p))
    return [p for _g, p in sorted(found, reverse=True)]


def _write(path: Path, body: Iterable[str]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for chunk in body:
            fh.write(chunk)
    os.replace(tmp, path)


def _claim(lock: Path) -> bool:
    with contextlib.suppress(OSError):
        if time.time() - lock.stat().st_mtime > LOCK_SECONDS:
            lock.unlink()
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def build(name: str, body: Callable[[], Iterable[str]]) -> Path | None:
    """Write ``body()`` to this generation's file unless it exists or another writer is at it."""
    from portal.extensions import db

    directory = export_dir()
    path = _path(directory, name)
    if path.exists():
        return path
    lock = path.with_suffix(path.suffix + ".lock")
    if not _claim(lock):
        return None
    try:
        _write(path, body())
        for old in _files(directory, name)[2:]:  # keep this one and the one before
            with contextlib.suppress(OSError):
                old.unlink()
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        db.session.rollback()  # the export's read transaction
    return path


def _build_in_background(app, name: str, body: Callable[[], Iterable[str]]) -> None:
    def run():
        from portal.extensions import db

        try:
            with app.app_context():
                build(name, body)
                db.session.remove()
        except Exception:
            app.logger.exception("open data: export %s failed", name)

    threading.Thread(target=run, daemon=True).start()


def _streams_only() -> bool:
    """Under TESTING without ``EXPORT_DIR`` (every test app starts at generation 0 in one instance
    folder) the exports stream and no file is written."""
    return bool(current_app.config.get("TESTING")) and not current_app.config.get("EXPORT_DIR")


def serve(name: str, body: Callable[[], Iterator[str]], mimetype: str, download_name: str):
    """The full export ``name`` (e.g. ``laporan.csv``) as a file with ETag and Range support.

    Under TESTING without ``EXPORT_DIR`` (every test app starts at generation 0 in one instance
    folder) it streams ``body()`` as before.
    """
    if _streams_only():
        from flask import Response, stream_with_context

        resp = Response(stream_with_context(body()), mimetype=mimetype)
        resp.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
        resp.headers["Cache-Control"] = "no-store"
        return resp
    directory = export_dir()
    current = _path(directory, name)
    path: Path | None = current if current.exists() else None
    if path is None:
        files = _files(directory, name)
        if files and not current_app.config.get("TESTING"):
            _build_in_background(current_app._get_current_object(), name, body)  # type: ignore[attr-defined]
            path = files[0]  # the previous generation's, while this one is written
        elif not files and _too_large_to_wait():
            _build_in_background(current_app._get_current_object(), name, body)  # type: ignore[attr-defined]
            return _being_prepared(mimetype)
        else:
            with _thread_lock:  # the first file ever (or a test): this request writes it, others wait
                path = build(name, body)
            deadline = time.monotonic() + 300
            while path is None and time.monotonic() < deadline:  # another process is writing it
                time.sleep(0.2)
                path = current if current.exists() else None
            if path is None:
                from flask import abort

                abort(503)
    resp = send_file(path, mimetype=mimetype, as_attachment=True, download_name=download_name,
                     conditional=True, etag=True, max_age=0)
    resp.headers["Cache-Control"] = "public, no-cache"
    return resp


def _too_large_to_wait() -> bool:
    """More complaints than a request may write out itself (``EXPORT_INLINE_ROWS``)."""
    import sqlalchemy as sa

    from portal.complaints.models import Complaint
    from portal.extensions import db

    limit = int(current_app.config.get("EXPORT_INLINE_ROWS", 20_000))
    over = db.session.scalar(sa.select(Complaint.id).order_by(Complaint.id).offset(limit).limit(1))
    return over is not None


#: seconds a client is asked to wait before asking again for a file being written
RETRY_SECONDS = 60


def _being_prepared(mimetype: str):
    """503 + ``Retry-After`` while the first file is written (in the export's own format)."""
    from flask import make_response

    from portal.public.api import api_error

    text = "Berkas sedang disiapkan; silakan unduh lagi dalam satu menit."
    if mimetype.startswith("application/json"):
        resp = api_error(503, text)
    else:
        resp = make_response(text + "\n", 503)
        resp.mimetype = "text/plain"
    resp.headers["Retry-After"] = str(RETRY_SECONDS)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def build_all(echo: Callable[[str], None] | None = None) -> dict[str, Path | None]:
    """Write every full export of the current generation now (the daily job, ``exports build``)."""
    from portal.public.opendata import FULL_EXPORTS

    out: dict[str, Path | None] = {}
    if _streams_only():
        return out
    for name, body in FULL_EXPORTS.items():
        started = time.perf_counter()
        out[name] = path = build(name, body)
        if echo:
            size = path.stat().st_size / 2**20 if path is not None else 0
            echo(f"{name}: {'written' if path else 'being written by another process'} "
                 f"({size:.1f} MB, {time.perf_counter() - started:.1f} s)")
    return out


def _cli():
    import click
    from flask.cli import AppGroup

    group = AppGroup("exports", help="The full open-data files (/data/laporan.csv, /data/laporan.json).")

    @group.command("build")
    def build_cmd() -> None:
        """Write the full exports of the current data generation (skipped when already written)."""
        build_all(click.echo)

    return group


exports_cli = _cli()

"""Logging: JSON lines with a request id when ``LOG_JSON`` is on; never personal data.

Every request gets an id (a sane incoming ``X-Request-ID`` from the proxy, else a new one), echoed
in the response and attached to every log record. With ``LOG_JSON`` each request also writes one
``portal.request`` line: method, path (never the query string: it can carry search terms or names),
status, duration and the user's id. :class:`RedactFilter` masks e-mail addresses, NIKs and phone
numbers in any message as a second line of defence: code logs ids, not people.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
_PHONE = re.compile(r"(?<![\w])(?:\+62|62|0)8\d{7,11}(?!\d)")
_MARK = "_portal_handler"


def redact(text: str) -> str:
    """``text`` with e-mail addresses, 16-digit NIKs and Indonesian mobile numbers masked."""
    return _PHONE.sub("[phone]", _NIK.sub("[nik]", _EMAIL.sub("[email]", text)))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


class RedactFilter(logging.Filter):
    """Masks personal data in the formatted message (and drops its args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template only
            message = str(record.msg)
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def json_handler(stream=None) -> logging.Handler:
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    ))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    setattr(handler, _MARK, True)
    return handler


def request_id(incoming: str) -> str:
    """A sane incoming ``X-Request-ID`` (from the proxy), else a new one."""
    return incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex


def log_request(method: str, path: str, status: int, started: float | None, user_id: str | None) -> None:
    """The one ``portal.request`` line of a request (``LOG_JSON``): never the query string."""
    ms = (time.perf_counter() - (started or time.perf_counter())) * 1000
    logging.getLogger("portal.request").info(
        "request", extra={"method": method, "path": redact(path), "status": status, "ms": round(ms, 1),
                          "user_id": user_id})


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        g.request_id = request_id(request.headers.get("X-Request-ID", ""))
        g.request_started = time.perf_counter()

    @app.after_request
    def _echo_id(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        if app.config.get("LOG_JSON") and request.endpoint != "static":
            from flask_login import current_user

            try:
                uid = current_user.id if current_user.is_authenticated else None
            except Exception:
                uid = None
            log_request(request.method, request.path, resp.status_code, g.get("request_started"), uid)
        return resp

    if app.config.get("LOG_JSON"):
        from flask.logging import default_handler

        root = logging.getLogger()
        for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
            root.removeHandler(old)
        root.addHandler(json_handler())
        root.setLevel(logging.INFO)
        app.logger.removeHandler(default_handler)
    else:
        # plain logs still go through the redaction filter
        for handler in app.logger.handlers:
            if not any(isinstance(f, RedactFilter) for f in handler.filters):
                handler.addFilter(RedactFilter())

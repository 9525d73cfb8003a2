"""Logging: JSON lines with a request id when ``LOG_JSON`` is on; never personal data."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, g, request


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex

    @app.after_request
    def _echo_id(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        return resp

    if app.config.get("LOG_JSON"):
        from pythonjsonlogger.json import JsonFormatter

        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
        handler.addFilter(RequestIdFilter())
        root = logging.getLogger()
        root.handlers = [handler]
        root.setLevel(logging.INFO)

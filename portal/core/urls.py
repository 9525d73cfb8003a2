"""The portal's public address, for links that leave the page: e-mails, receipts, QR codes, ICS, letters.

``PUBLIC_BASE_URL`` when set (production: set it). Otherwise, inside a request, the address the
request was served on (scheme and host, after ProxyFix), so ``PORT=5001 make run`` links to 5001;
outside a request (CLI, jobs), ``SERVER_NAME`` with ``PREFERRED_URL_SCHEME``, else
``http://127.0.0.1:$PORT`` (5000 by default), the address ``make run`` serves on.
"""

from __future__ import annotations

import os

from flask import current_app, has_request_context, request


def public_base_url() -> str:
    """The base URL without a trailing slash."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context() and not request.environ.get("portal.offline"):
        return request.host_url.rstrip("/")
    return offline_base_url()


def offline_base_url() -> str:
    """The base URL when no request tells it: ``SERVER_NAME``, else the local serving port."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    server = current_app.config.get("SERVER_NAME")
    if server:
        return f"{current_app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server}".rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}"


def offline_request_context():
    """A request context for work outside a request (jobs, CLI) whose ``url_for`` uses the public base."""
    base = offline_base_url()
    return current_app.test_request_context(base_url=base, environ_overrides={"portal.offline": True})

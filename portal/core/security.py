"""Security headers, cookie defaults and staff session expiry.

- A strict Content-Security-Policy: no inline scripts or styles, not even ``style=""`` attributes.
- HSTS only when the request really came over HTTPS (behind a proxy: ``PROXY_FIX=1`` trusts one hop of
  ``X-Forwarded-Proto``/``-For``) and ``HSTS_ENABLED`` is on, so a plain-HTTP install never locks itself out.
- Staff sessions end after ``PERMANENT_SESSION_LIFETIME`` (absolute) or ``SESSION_IDLE_MINUTES`` without a
  request (idle); pages for signed-in users are never stored by caches (they carry personal data).
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, flash, request, session
from flask_babel import gettext as _

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
#: session key holding the time (epoch seconds) of the last request of a signed-in user
LAST_SEEN = "_seen"
#: session key holding the time of sign-in (the absolute lifetime counts from it)
SIGNED_IN_AT = "_auth_at"
#: rewrite the idle stamp at most this often, so every request does not re-send the cookie
TOUCH_EVERY = 60


#: headers every response carries (``setdefault``: a view may set its own CSP)
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "geolocation=(), camera=(), microphone=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def security_headers(config, secure: bool) -> tuple[tuple[str, str], ...]:
    """The security headers of a response; HSTS too when the request came over HTTPS (``secure``) and
    ``HSTS_ENABLED`` is on. Used by the after-request hook and by the public cache's fast path."""
    if secure and config.get("HSTS_ENABLED"):
        return (*HEADERS, ("Strict-Transport-Security", HSTS))
    return HEADERS


def init_app(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production" and "SESSION_COOKIE_SECURE" not in os.environ:
        app.config["SESSION_COOKIE_SECURE"] = True  # production runs behind HTTPS unless told otherwise
    app.config["REMEMBER_COOKIE_SECURE"] = app.config.get("SESSION_COOKIE_SECURE", False)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.before_request
    def _idle_timeout():
        from flask_login import current_user, logout_user

        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        idle = int(app.config["SESSION_IDLE_MINUTES"]) * 60
        seen = session.get(LAST_SEEN)
        started = session.setdefault(SIGNED_IN_AT, now)
        lifetime = app.permanent_session_lifetime.total_seconds()
        if (idle and seen is not None and now - int(seen) > idle) or now - int(started) > lifetime:
            logout_user()
            session.clear()
            flash(_("Sesi Anda berakhir karena tidak aktif. Silakan masuk kembali."), "info")
            from portal.core.expiry import to_sign_in

            return to_sign_in(code=303)  # htmx: HX-Redirect; a typed form: kept on screen
        if seen is None or now - int(seen) >= TOUCH_EVERY:
            session[LAST_SEEN] = now
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        from flask_login import current_user

        h = resp.headers
        for name, value in security_headers(app.config, request.is_secure):
            h.setdefault(name, value)
        try:
            signed_in = current_user.is_authenticated
        except Exception:  # outside a request with a user loader (e.g. errors before login set-up)
            signed_in = False
        if signed_in and "Cache-Control" not in h:
            h["Cache-Control"] = "no-store"
        return resp

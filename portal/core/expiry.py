"""Expired sessions and stale CSRF tokens, for every page and form.

- A signed-out user's htmx request gets ``HX-Redirect`` to sign-in ("Sesi Anda berakhir") whose
  ``next`` is the page the user is on (``HX-Current-URL``), never the fragment's URL.
- A form sent with a stale CSRF token, or by a user whose session ended, is not lost: the page
  shows what was typed in a form that sends it again with a fresh token (after signing in again,
  when signed out). Nothing is kept on the server; passwords and files are never echoed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from portal.core.auth import is_safe_next
from portal.core.htmx import current_url, hx_response, is_htmx

#: fields never echoed back into a page
SECRET_FIELDS = ("csrf_token", "password", "otp", "token", "secret", "api_key")
#: labels for the fields people type into, by their name in the portal's forms
LABELS = {"text": _l("Teks"), "reason": _l("Alasan"), "note": _l("Catatan"), "title": _l("Judul"),
          "body": _l("Isi"), "minutes": _l("Notulen"), "message": _l("Pesan")}


def on_site_path(url: str | None) -> str | None:
    """The path (and query) of ``url`` when it points at this site, else ``None``."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return path if is_safe_next(path) else None


def return_path() -> str | None:
    """Where to come back after signing in: the page, not a fragment or a form's POST URL."""
    if is_htmx():
        return on_site_path(current_url())
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return on_site_path(request.referrer)


def login_url(next_path: str | None = None) -> str:
    next_path = next_path if next_path is not None else return_path()
    return url_for("auth.login", next=next_path) if next_path else url_for("auth.login")


def kept_fields() -> list[tuple[str, str, bool]]:
    """The submitted fields worth sending again: ``(name, value, shown)``; typed text is shown."""
    out = []
    for name, value in request.form.items(multi=True):
        low = name.lower()
        if any(secret in low for secret in SECRET_FIELDS):
            continue
        shown = "\n" in value or len(value) > 30 or (low in LABELS and bool(value.strip()))
        out.append((name, value, shown))
    return out


def _has_typed_text(fields: list[tuple[str, str, bool]]) -> bool:
    return any(shown for _name, _value, shown in fields)


def resubmit_page(reason: str, status: int) -> Response:
    """The form again, with what was typed, a fresh token and a sign-in step when signed out."""
    fields = kept_fields()
    signed_in = current_user.is_authenticated
    page = on_site_path(current_url() if is_htmx() else None) or on_site_path(request.referrer)
    html = render_template(
        "errors/resubmit.html", reason=reason, fields=fields, labels=LABELS, signed_in=signed_in,
        action=request.path, back=page, sign_in=login_url(page or "/"),
        files_dropped=any(f.filename for f in request.files.values()))
    if is_htmx():
        # swap the page's main region (htmx does not swap 4xx answers by default)
        resp = hx_response(html, 200, retarget="#main", reswap="outerHTML")
        resp.headers["HX-Reselect"] = "#main"  # not among htmx-flask 0.1's arguments
    else:
        resp = make_response(html, status)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers.add("Vary", "HX-Request")
    return resp


def to_sign_in(code: int = 302) -> BaseResponse:
    """Answer a signed-out user: keep a typed form, tell htmx to navigate, or redirect."""
    if request.method == "POST" and _has_typed_text(kept_fields()):
        return resubmit_page(_("Sesi Anda berakhir sebelum formulir terkirim. Teks yang Anda ketik masih ada di "
                               "bawah."), 401)
    target = login_url()
    if is_htmx():
        if not session.get("_flashes"):
            flash(_("Sesi Anda berakhir. Silakan masuk kembali."), "info")
        return hx_response("", 401, redirect=target)
    return redirect(target, code=code)


def _csrf_error(err: CSRFError) -> Response:
    if request.endpoint == "auth.login":  # the sign-in form again, with the address kept
        from portal.auth.forms import LoginForm
        from portal.core.render import render

        form = LoginForm()
        form.password.data = None
        return render("auth/login.html", form=form, status=400,
                      error=_("Formulir masuk kedaluwarsa. Silakan masukkan kata sandi lagi."))
    if not current_user.is_authenticated and request.method == "POST" and request.endpoint != "auth.login":
        reason = _("Sesi Anda berakhir sebelum formulir terkirim. Teks yang Anda ketik masih ada di bawah.")
    else:
        reason = _("Formulir kedaluwarsa (token keamanan tidak berlaku lagi). Teks yang Anda ketik masih ada di "
                   "bawah; periksa lalu kirim ulang.")
    return resubmit_page(reason, 400)


def init_app(app: Flask) -> None:
    from portal.extensions import login_manager

    login_manager.unauthorized_handler(to_sign_in)
    app.register_error_handler(CSRFError, _csrf_error)

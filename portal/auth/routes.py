from __future__ import annotations

import functools
import secrets
import time

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth import bp, throttle, totp
from portal.auth.forms import EmptyForm, LoginForm
from portal.core.auth import safe_next
from portal.core.db import utcnow
from portal.core.render import render
from portal.core.security import LAST_SEEN, SIGNED_IN_AT
from portal.extensions import csrf, db, limiter
from portal.people.models import Role, User


def home_for(user: User) -> str:
    if user.role == Role.OPD:
        return url_for("admin.opd_home")
    if user.role == Role.PIMPINAN:
        return url_for("meetings.index")
    return url_for("admin.index")


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user))
    error = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        wait = throttle.wait_seconds(email)
        user = None if wait else _check_password(email, form.password.data)
        if wait:
            error = _wait_message(wait)
        elif user is None:
            throttle.record_failure(email)
            error = _("Email atau kata sandi salah.")
        elif user.totp_secret and not totp.accept(user, form.otp.data):
            throttle.record_failure(email)
            error = _("Kode autentikator salah, sudah dipakai, atau belum diisi.")
        else:
            throttle.clear(email)
            user.last_login_at = utcnow()
            session.clear()  # no fixation: nothing from before the sign-in survives it
            session.permanent = True
            login_user(user)
            stamp = int(time.time())
            session[SIGNED_IN_AT] = stamp
            session[LAST_SEEN] = stamp
            db.session.commit()
            current_app.logger.info("login ok user_id=%s", user.id)
            return redirect(safe_next(form.next.data) or home_for(user), code=303)
    status = 200 if request.method == "GET" or not (error or form.errors) else 422
    return render("auth/login.html", form=form, error=error, status=status)


@functools.cache
def _dummy_hash() -> str:
    """A hash made like real ones, checked for unknown accounts so they take as long as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _check_password(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else ``None`` — in the same time either way."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    ok = user.check_password(password)
    return user if ok and user.active else None


def _wait_message(seconds: int) -> str:
    return _("Terlalu banyak percobaan masuk yang gagal untuk email ini dari perangkat Anda. "
             "Coba lagi dalam %(s)s detik, atau hubungi admin Diskominfo bila Anda lupa kata sandi.", s=seconds)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.end_sessions()  # a copy of this cookie (or any other session) stops working too
            db.session.commit()
        logout_user()
        session.clear()
        flash(_("Anda telah keluar."), "info")
    return redirect(url_for("public.index"), code=303)


@bp.post("/bahasa")
@csrf.exempt
def set_language():
    # Exempt from CSRF on purpose: it only sets the UI language in the visitor's own session (a forged
    # POST can at worst switch someone's language). Requiring a token would force a session cookie onto
    # every anonymous public page (to render the token), making them uncacheable. It stays a POST.
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("public.index"), code=303)

from __future__ import annotations

import datetime as dt
import math
import time

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.auth import bp
from portal.auth.forms import EmptyForm, LoginForm
from portal.core.auth import safe_next
from portal.core.db import utcnow
from portal.core.models import Role, User
from portal.core.render import render
from portal.core.security import LAST_SEEN, SIGNED_IN_AT
from portal.extensions import csrf, db, limiter

MAX_FAILURES = 5
LOCK_MINUTES = 15


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
        user = db.session.scalar(sa.select(User).where(User.email == email))
        now = utcnow()
        if user is not None and user.locked_until and user.locked_until > now:
            error = _locked_message(user, now)
        elif user is None or not user.active or not user.check_password(form.password.data):
            error = _("Email atau kata sandi salah.")
            if user is not None and _count_failure(user, now):
                error = _locked_message(user, now)
        elif user.totp_secret and not _otp_ok(user, form.otp.data):
            error = _("Kode autentikator salah atau belum diisi.")
            if _count_failure(user, now):
                error = _locked_message(user, now)
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            session.clear()
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


def _locked_message(user: User, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
    return _("Akun dikunci sementara karena %(n)s kali percobaan masuk gagal berturut-turut. "
             "Coba lagi dalam %(m)s menit, atau hubungi admin Diskominfo bila Anda lupa kata sandi.",
             n=MAX_FAILURES, m=minutes)


def _count_failure(user: User, now: dt.datetime) -> bool:
    """Record a failed attempt (commits); ``True`` when it locked the account."""
    user.failed_logins += 1
    locked = user.failed_logins >= MAX_FAILURES
    if locked:
        user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
    db.session.commit()
    current_app.logger.info("login failed user_id=%s locked=%s", user.id, locked)
    return locked


def _otp_ok(user: User, code: str | None) -> bool:
    from portal.auth.totp import verify

    return verify(user.totp_secret, code)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
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

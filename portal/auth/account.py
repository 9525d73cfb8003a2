"""The signed-in user's own account: password change and TOTP two-factor sign-in."""

from __future__ import annotations

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from portal.auth import bp, totp
from portal.auth.forms import PasswordChangeForm, TotpDisableForm, TotpEnrolForm
from portal.core import passwords
from portal.core.auth import role_required
from portal.core.models import AuditLog
from portal.core.render import render
from portal.core.security import LAST_SEEN, SIGNED_IN_AT
from portal.extensions import db
from portal.people.models import Role

#: roles that may turn on two-factor sign-in (province-wide access, leadership reports)
TOTP_ROLES = (Role.KOMINFO, Role.PIMPINAN)
_PENDING = "totp_pending"


def _audit(action: str) -> None:
    db.session.add(AuditLog(actor_id=current_user.id, action=action, object_type="user",
                            object_id=str(current_user.id), changes={}))


def _renew_session() -> None:
    """Re-issue the session of the signed-in user after their session generation changed."""
    user = current_user._get_current_object()
    keep = {k: session[k] for k in (SIGNED_IN_AT, LAST_SEEN, "lang") if k in session}
    session.clear()
    session.permanent = True
    login_user(user)
    session.update(keep)


@bp.get("/akun")
@role_required()
def account():
    return render("auth/account.html", totp_allowed=current_user.role in TOTP_ROLES)


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@role_required()
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors = [*form.current.errors, _("Kata sandi saat ini salah.")]
        else:
            issues = passwords.problems(form.new.data, current_user.email)
            if form.new.data == form.current.data:
                issues.append(_("harus berbeda dari kata sandi saat ini"))
            if issues:
                form.new.errors = [*form.new.errors, _("Kata sandi ditolak: %(r)s.", r="; ".join(issues))]
            else:
                current_user.set_password(form.new.data)  # ends every other session of the user …
                _audit("user.password_change")
                db.session.commit()
                _renew_session()  # … and this one goes on under the new generation
                current_app.logger.info("password changed user_id=%s", current_user.id)
                flash(_("Kata sandi telah diganti."), "ok")
                return redirect(url_for("auth.account"), code=303)
    status = 422 if form.errors else 200
    return render("auth/password.html", form=form, min_length=passwords.MIN_LENGTH, status=status)


@bp.route("/akun/2fa", methods=["GET", "POST"])
@role_required(*TOTP_ROLES)
def totp_enrol():
    if current_user.totp_secret:
        return render("auth/totp_on.html", form=TotpDisableForm())
    form = TotpEnrolForm()
    secret = session.get(_PENDING)
    if not secret:
        secret = session[_PENDING] = totp.new_secret()
    if form.validate_on_submit():
        step = totp.matching_step(secret, form.code.data)
        if step is not None:
            current_user.totp_secret = secret
            current_user.totp_last_step = step
            session.pop(_PENDING, None)
            _audit("user.totp_enable")
            db.session.commit()
            current_app.logger.info("totp enabled user_id=%s", current_user.id)
            flash(_("Verifikasi dua langkah aktif. Mulai sekarang, masukkan kode dari aplikasi saat masuk."), "ok")
            return redirect(url_for("auth.account"), code=303)
        form.code.errors = [*form.code.errors, _("Kode tidak cocok. Periksa jam ponsel Anda lalu coba lagi.")]
    uri = totp.provisioning_uri(secret, current_user.email, current_app.config.get("TOTP_ISSUER", totp.ISSUER))
    status = 422 if form.errors else 200
    return render("auth/totp_enrol.html", form=form, qr=totp.qr_data_uri(uri), secret=secret, status=status)


@bp.post("/akun/2fa/nonaktif")
@role_required(*TOTP_ROLES)
def totp_disable():
    form = TotpDisableForm()
    if not current_user.totp_secret:
        return redirect(url_for("auth.account"), code=303)
    if form.validate_on_submit():
        if current_user.check_password(form.password.data) and totp.accept(current_user, form.code.data):
            current_user.totp_secret = None
            current_user.totp_last_step = None
            _audit("user.totp_disable")
            db.session.commit()
            current_app.logger.info("totp disabled user_id=%s", current_user.id)
            flash(_("Verifikasi dua langkah dinonaktifkan."), "info")
            return redirect(url_for("auth.account"), code=303)
        form.code.errors = [*form.code.errors, _("Kata sandi atau kode salah.")]
    return render("auth/totp_on.html", form=form, status=422)



"""Kominfo publishes a new version of the service standard's text (Markdown, Indonesian and English)."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.admin import bp
from portal.admin.settings.routes import audit
from portal.core.auth import role_required
from portal.core.render import htmx_redirect, render
from portal.extensions import db
from portal.people.models import Role
from portal.public import standard as std


class StandardForm(FlaskForm):
    body_id = TextAreaField(_l("Teks (bahasa Indonesia, Markdown)"), validators=[DataRequired(), Length(max=50_000)])
    body_en = TextAreaField(_l("Teks (bahasa Inggris, Markdown)"), validators=[Optional(), Length(max=50_000)])
    note = StringField(_l("Catatan perubahan"), validators=[Optional(), Length(max=300)])


@bp.route("/pengaturan/standar-layanan", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def standard_edit():
    row = std.current()
    form = StandardForm()
    if not form.is_submitted():
        form.body_id.data = row.body_id if row else std.DEFAULT_ID
        form.body_en.data = row.body_en if row else std.DEFAULT_EN
    if form.validate_on_submit():
        new = std.publish(form.body_id.data, form.body_en.data or "", form.note.data or "", current_user)
        audit("service_standard.publish", new, {"note": [None, new.note]})
        db.session.commit()
        flash(_("Versi baru standar pelayanan diterbitkan."), "success")
        return htmx_redirect("public.standard")
    return render("admin/settings/standard.html", form=form, row=row, versions=std.versions(),
                  status=400 if form.errors else 200)

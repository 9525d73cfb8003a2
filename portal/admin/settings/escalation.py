"""Escalation settings (Kominfo only): the ladder in working days, and each OPD's head contact.

Pages: ``/admin/pengaturan/eskalasi`` (``admin.people_escalation``) and the head-of-OPD form on the
OPD's page (``POST /admin/pengaturan/opd/<id>/kepala``). Every change writes an audit row.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from portal.admin import bp
from portal.admin.settings.routes import _opd_page, audit
from portal.complaints import escalation
from portal.core.auth import role_required
from portal.core.models import Setting
from portal.core.render import render
from portal.extensions import db
from portal.people.models import OPD, Role


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _days(label):
    return IntegerField(label, validators=[InputRequired(_l("Isi jumlah hari kerja.")),
                                           NumberRange(0, escalation.MAX_OFFSET,
                                                       _l("Antara 0 dan %(max)s hari kerja.",
                                                          max=escalation.MAX_OFFSET))])


class LadderForm(FlaskForm):
    """Working days past the stage deadline at which each step happens."""

    escalation_liaison = _days(_l("Pengingat ke pejabat penghubung: hari kerja setelah tenggat"))
    escalation_head = _days(_l("Pemberitahuan ke kepala OPD: hari kerja setelah tenggat"))
    escalation_leadership = _days(_l("Dicantumkan untuk pimpinan Diskominfo: hari kerja setelah tenggat"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if escalation.ladder_problem(self.offsets()) == "order":
            self.escalation_head.errors = [*self.escalation_head.errors,
                                           _l("Setiap langkah paling cepat sama dengan langkah sebelumnya.")]
            return False
        return True

    def offsets(self) -> dict[str, int]:
        return {k: int(getattr(self, k).data) for k in escalation.STEP_KINDS}


class HeadForm(FlaskForm):
    """The head of an OPD (kepala OPD): both empty removes the contact."""

    head_name = StringField(_l("Nama kepala OPD"), validators=[Optional(), Length(max=200)], filters=[_strip])
    head_email = EmailField(_l("Email kepala OPD"), validators=[Optional(), Email(), Length(max=254)],
                            filters=[_strip])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if bool(self.head_name.data) != bool(self.head_email.data):
            target = self.head_email if self.head_name.data else self.head_name
            target.errors = [*target.errors, _l("Isi nama dan email, atau kosongkan keduanya.")]
            return False
        return True


def head_form(opd: OPD) -> HeadForm:
    head = db.session.get(escalation.OPDHead, opd.id)
    return HeadForm(formdata=None, head_name=head.name if head else "", head_email=head.email if head else "")


@bp.route("/pengaturan/eskalasi", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_escalation():
    """The escalation ladder in working days past the stage deadline."""
    current = escalation.ladder()
    form = LadderForm(data=current)
    status = 200
    if form.validate_on_submit():
        changes = escalation.save_ladder(form.offsets())
        for key, change in changes.items():
            audit("setting.update", db.session.get(Setting, key), {key: change})
        db.session.commit()
        flash(_("Tangga eskalasi disimpan.") if changes else _("Tidak ada perubahan."), "success")
        return redirect(url_for("admin.people_escalation"), code=303)
    if form.is_submitted():
        status = 422
    return render("admin/settings/escalation.html", form=form, steps=escalation.STEPS, status=status)


@bp.post("/pengaturan/opd/<int:opd_id>/kepala")
@role_required(Role.KOMINFO)
def people_opd_head(opd_id: int):
    """Set, change or remove the OPD's head contact."""
    opd = db.session.get(OPD, opd_id) or abort(404)
    form = HeadForm()
    if not form.validate_on_submit():
        return _opd_page(opd, head=form, status=422)
    head = db.session.get(escalation.OPDHead, opd.id)
    old = [head.name, head.email] if head else [None, None]
    new = [form.head_name.data or None, form.head_email.data.lower() if form.head_email.data else None]
    if old != new:
        if new[0] is None:
            db.session.delete(head)
        elif head is None:
            head = escalation.OPDHead(opd_id=opd.id, name=new[0], email=new[1])
            db.session.add(head)
        else:
            head.name, head.email = new
        audit("opd.head", opd, {"head_name": [old[0], new[0]], "head_email": [old[1], new[1]]})
        db.session.commit()
    flash(_("Kontak kepala OPD disimpan."), "success")
    return redirect(url_for("admin.people_opd", opd_id=opd.id), code=303)

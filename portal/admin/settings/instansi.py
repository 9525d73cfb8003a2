"""The instansi complaints are forwarded to (no wrong door): add entries, deactivate or reactivate them.

Page: ``/admin/pengaturan/instansi`` (endpoint ``admin.people_instansi``). Entries are never deleted:
forwarded complaints keep pointing at them; an inactive one is no longer offered.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.admin import bp
from portal.admin.settings.routes import _diff, audit
from portal.auth.forms import EmptyForm
from portal.complaints.forwarding import KINDS
from portal.complaints.models import Complaint, Instansi, Status
from portal.core.auth import role_required
from portal.core.render import render
from portal.extensions import db
from portal.people.models import Role


class InstansiForm(FlaskForm):
    name = StringField(_l("Nama instansi"), validators=[DataRequired(), Length(max=200)],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v])
    kind = SelectField(_l("Jenis"), choices=[(k, _l(v)) for k, v in KINDS.items()], default="lainnya")


@bp.route("/pengaturan/instansi", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def people_instansi():
    form = InstansiForm()
    status = 200
    if form.validate_on_submit():
        if db.session.scalar(sa.select(Instansi).where(sa.func.lower(Instansi.name) == form.name.data.lower())):
            form.name.errors.append(_("Instansi dengan nama ini sudah ada."))
        else:
            row = Instansi(name=form.name.data, kind=form.kind.data, active=True)
            db.session.add(row)
            db.session.flush()
            audit("instansi.create", row, {"name": [None, row.name], "kind": [None, row.kind]})
            db.session.commit()
            flash(_("Instansi %(name)s ditambahkan.", name=row.name), "success")
            return redirect(url_for("admin.people_instansi"), code=303)
    if form.is_submitted():
        status = 422
    rows = db.session.scalars(sa.select(Instansi).order_by(Instansi.active.desc(), Instansi.kind, Instansi.name)).all()
    counts = dict(db.session.execute(
        sa.select(Complaint.forwarded_to_id, sa.func.count()).where(Complaint.status == Status.DITERUSKAN)
        .group_by(Complaint.forwarded_to_id)).tuples().all())
    return render("admin/settings/instansi.html", form=form, rows=rows, counts=counts, kinds=KINDS,
                  empty=EmptyForm(), status=status)


@bp.post("/pengaturan/instansi/<int:instansi_id>/status")
@role_required(Role.KOMINFO)
def people_instansi_toggle(instansi_id: int):
    row = db.session.get(Instansi, instansi_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    activate = not row.active
    audit("instansi.activate" if activate else "instansi.deactivate", row, _diff(row, {"active": activate}))
    db.session.commit()
    flash(_("Instansi %(name)s %(s)s.", name=row.name, s=_("diaktifkan") if activate else _("dinonaktifkan")),
          "success")
    return redirect(url_for("admin.people_instansi"), code=303)

"""Staff enter paper SKM questionnaires (Kominfo), and read the IKM per period and OPD."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.admin import bp
from portal.complaints import survey
from portal.core.auth import role_required
from portal.core.render import htmx_redirect, render
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.people.models import OPD, Role


class PaperSurveyForm(FlaskForm):
    opd = SelectField(_l("OPD yang menangani"), validators=[Optional()])
    month = StringField(_l("Bulan (TTTT-BB)"), validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")])
    suggestion = TextAreaField(_l("Saran dan masukan"), validators=[Optional(), Length(max=2000)])


for _key, _label in survey.ELEMENTS:
    setattr(PaperSurveyForm, _key, RadioField(_label, choices=[(str(v), str(v)) for v, _t in survey.SCALE],
                                              validators=[DataRequired()]))


@bp.route("/survei-kertas", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def skm_paper():
    form = PaperSurveyForm()
    opds = db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name)).all()
    form.opd.choices = [("", _("— admin provinsi —"))] + [(str(o.id), f"{o.name} ({o.code})") for o in opds]
    if not form.is_submitted():
        form.month.data = today_wib().strftime("%Y-%m")
    if form.validate_on_submit():
        opd = db.session.get(OPD, int(form.opd.data)) if form.opd.data else None
        year, month = (int(x) for x in form.month.data.split("-"))
        survey.enter_paper(opd, dt.date(year, month, 1), {k: getattr(form, k).data for k in survey.KEYS},
                           form.suggestion.data or "")
        db.session.commit()
        flash(_("Kuesioner kertas tercatat."), "success")
        return htmx_redirect("admin.skm_paper")
    today = today_wib()
    start = today.replace(month=1, day=1)
    return render("admin/intake/survey.html", form=form, keys=survey.KEYS, all=survey.ikm(start, today),
                  per_opd=survey.ikm_per_opd(start, today), start=start, end=today,
                  status=400 if form.errors else 200)

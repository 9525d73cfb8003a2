"""Forms of the SK register and the rencana aksi pages (Kominfo)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.meetings.evaluation.models import TeamRole


class SkForm(FlaskForm):
    number = StringField(_l("Nomor SK"), validators=[DataRequired(), Length(max=120)])
    title = StringField(_l("Tentang"), default="Tim Koordinasi Pengelola SP4N-LAPOR!",
                        validators=[DataRequired(), Length(max=500)])
    decree_date = DateField(_l("Tanggal ditetapkan"), validators=[DataRequired()])
    issuer = StringField(_l("Ditetapkan oleh"), validators=[DataRequired(), Length(max=200)])
    valid_from = DateField(_l("Berlaku mulai"), validators=[DataRequired()])
    valid_to = DateField(_l("Berlaku sampai"), validators=[Optional()])


class MemberForm(FlaskForm):
    role = SelectField(_l("Kedudukan"), choices=[(r.value, r.label) for r in TeamRole],
                       validators=[DataRequired()])
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    opd = SelectField(_l("OPD (untuk pejabat penghubung)"), choices=[], validate_choice=False)


class PlanForm(FlaskForm):
    year = IntegerField(_l("Tahun"), validators=[DataRequired(), NumberRange(2000, 2100)])
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=500)])
    adopted_on = DateField(_l("Tanggal ditetapkan"), validators=[Optional()])


class ItemForm(FlaskForm):
    title = StringField(_l("Kegiatan"), validators=[DataRequired(), Length(max=500)])
    due_date = DateField(_l("Batas waktu"), validators=[DataRequired()])
    owner = SelectField(_l("Penanggung jawab"), choices=[], validate_choice=False)


class ProgressForm(FlaskForm):
    progress = IntegerField(_l("Kemajuan (%)"), validators=[InputRequired(), NumberRange(0, 100)])
    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=2000)])


class EmptyForm(FlaskForm):
    """CSRF only, for POST-only buttons."""

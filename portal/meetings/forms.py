"""Forms of the rakor pages (labels in Indonesian, lazily translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, ValidationError

from portal.meetings.models import ActionStatus, MeetingMode, Rsvp

MODE_CHOICES = [(m.value, m.label) for m in MeetingMode]


class EmptyForm(FlaskForm):
    """CSRF only, for POST buttons."""


def optional_int(value):
    """``int`` for a select whose first option is the empty placeholder ("" → ``None``)."""
    return int(value) if value not in (None, "", "None") else None


class PlanForm(FlaskForm):
    """A new rakor: from a March/August template or a clone of an earlier meeting."""

    source = SelectField(_l("Mulai dari"), validators=[DataRequired(_l("Pilih templat atau rapat sumber."))])
    title = StringField(_l("Judul"), validators=[Optional(), Length(max=300)])
    date = DateField(_l("Tanggal"), validators=[Optional()])
    start = TimeField(_l("Jam mulai (WIB)"), validators=[Optional()])
    end = TimeField(_l("Jam selesai (WIB)"), validators=[Optional()])
    venue = StringField(_l("Tempat"), validators=[Optional(), Length(max=300)])
    mode = SelectField(_l("Cara"), choices=MODE_CHOICES, default="tatap_muka")
    online_url = URLField(_l("Tautan rapat daring"), validators=[Optional(), URL(), Length(max=500)])
    period_start = DateField(_l("Awal periode pelaporan"), validators=[Optional()])
    period_end = DateField(_l("Akhir periode pelaporan"), validators=[Optional()])
    record_past = BooleanField(_l("Mencatat rapat yang sudah berlangsung"))


class MeetingForm(FlaskForm):
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=300)])
    date = DateField(_l("Tanggal"), validators=[DataRequired()])
    start = TimeField(_l("Jam mulai (WIB)"), validators=[DataRequired()])
    end = TimeField(_l("Jam selesai (WIB)"), validators=[DataRequired()])
    venue = StringField(_l("Tempat"), validators=[DataRequired(), Length(max=300)])
    mode = SelectField(_l("Cara"), choices=MODE_CHOICES)
    online_url = URLField(_l("Tautan rapat daring"), validators=[Optional(), URL(), Length(max=500)])
    period_start = DateField(_l("Awal periode pelaporan"), validators=[DataRequired()])
    period_end = DateField(_l("Akhir periode pelaporan"), validators=[DataRequired()])
    letter_number = StringField(_l("Nomor surat undangan"), validators=[Optional(), Length(max=100)])
    letter_date = DateField(_l("Tanggal surat"), validators=[Optional()])
    reminder_days = IntegerField(_l("Pengingat dikirim (hari sebelum rapat)"),
                                 validators=[DataRequired(), NumberRange(0, 30)])
    description = TextAreaField(_l("Keterangan untuk undangan"), validators=[Optional(), Length(max=2000)])
    record_past = BooleanField(_l("Mencatat rapat yang sudah berlangsung"))

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError(_l("Akhir periode harus sesudah awalnya."))

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("Jam selesai harus sesudah jam mulai."))


class SpeakerForm(FlaskForm):
    name = StringField(_l("Nama narasumber"), validators=[DataRequired(), Length(max=200)])
    title = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    institution = StringField(_l("Instansi"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    topic = StringField(_l("Materi"), validators=[Optional(), Length(max=300)])


class AgendaForm(FlaskForm):
    title = StringField(_l("Acara"), validators=[DataRequired(), Length(max=300)])
    duration_minutes = IntegerField(_l("Durasi (menit)"), validators=[DataRequired(), NumberRange(1, 600)],
                                    default=30)
    presenter = StringField(_l("Penyaji"), validators=[Optional(), Length(max=200)])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Alasan pembatalan (dikirim kepada undangan)"),
                           validators=[Optional(), Length(max=1000)])


class ReminderForm(FlaskForm):
    audience = RadioField(_l("Kirim kepada"), choices=[("unanswered", _l("Yang belum menjawab")),
                                                       ("all", _l("Semua undangan (kecuali yang tidak hadir)"))],
                          default="unanswered")


class RsvpForm(FlaskForm):
    answer = RadioField(_l("Kehadiran"), validators=[DataRequired(message=_l("Pilih jawaban."))],
                        choices=[(Rsvp.HADIR.value, _l("Hadir")), (Rsvp.TIDAK_HADIR.value, _l("Tidak hadir")),
                                 (Rsvp.DIWAKILKAN.value, _l("Diwakilkan"))])
    # no Optional(): it would stop the chain before the "diwakilkan needs a name" checks below
    representative_name = StringField(_l("Nama perwakilan"), validators=[Length(max=200)])
    representative_position = StringField(_l("Jabatan perwakilan"), validators=[Length(max=200)])
    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=1000)])

    def validate_representative_name(self, field):
        if self.answer.data == Rsvp.DIWAKILKAN.value and not (field.data or "").strip():
            raise ValidationError(_l("Isi nama perwakilan."))

    def validate_representative_position(self, field):
        if self.answer.data == Rsvp.DIWAKILKAN.value and not (field.data or "").strip():
            raise ValidationError(_l("Isi jabatan perwakilan."))


class CheckInForm(FlaskForm):
    code = StringField(_l("Kode registrasi"), validators=[DataRequired(), Length(max=20)])


class WalkInForm(FlaskForm):
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    opd_id = SelectField(_l("Perangkat Daerah"), coerce=int, validators=[Optional()])
    is_representative = BooleanField(_l("Mewakili pejabat yang diundang"))


class MinutesForm(FlaskForm):
    body_md = TextAreaField(_l("Notulen (Markdown)"), validators=[Optional(), Length(max=200_000)])


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Keputusan / kesepakatan"), validators=[DataRequired(), Length(max=4000)])
    agenda_item_id = SelectField(_l("Mata acara"), coerce=int, validators=[Optional()])


class ActionForm(FlaskForm):
    title = StringField(_l("Tindak lanjut"), validators=[DataRequired(), Length(max=500)])
    owner_opd_id = SelectField(_l("Penanggung jawab (OPD)"), coerce=optional_int,
                               validators=[DataRequired(_l("Pilih OPD penanggung jawab."))])
    due_date = DateField(_l("Batas waktu"), validators=[Optional()])
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), Length(max=4000)])


STATUS_CHOICES = [(s.value, s.label) for s in ActionStatus]


class ProgressForm(FlaskForm):
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    note = TextAreaField(_l("Catatan kemajuan"), validators=[Optional(), Length(max=4000)])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Foto dokumentasi"), validators=[FileRequired()])
    caption = StringField(_l("Keterangan foto"), validators=[Optional(), Length(max=300)])

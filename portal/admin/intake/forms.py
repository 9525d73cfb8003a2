"""Forms of the intake pages: import upload and staff entry of a complaint."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.complaints.contact import ContactError, normalise_nik, normalise_phone
from portal.complaints.entry import STAFF_CHANNELS, NewComplaint
from portal.complaints.models import Category, Channel, ComplaintType, Gender
from portal.core.timeutil import today_wib, wib_to_utc
from portal.people.models import OPD


class UploadForm(FlaskForm):
    file = FileField(_l("File ekspor SP4N-LAPOR! (CSV atau XLSX)"), validators=[
        FileRequired(_l("Pilih file ekspor.")),
        FileAllowed(["csv", "xlsx"], _l("Hanya file CSV atau XLSX.")),
    ])


class ActionForm(FlaskForm):
    """CSRF only, for POST-only buttons (confirm, cancel)."""


def _optional_select(value):
    return int(value) if value not in (None, "", "None") else None


class StaffEntryForm(FlaskForm):
    # a required select starts with an empty placeholder (HTML: its first option must be empty), so the
    # channel is always chosen, never recorded by default
    channel = SelectField(_l("Saluran"), choices=[("", _l("— pilih saluran —")),
                                                  *((c.value, c.label) for c in STAFF_CHANNELS)],
                          validators=[DataRequired(_l("Pilih saluran laporan."))])
    type = SelectField(_l("Jenis laporan"), choices=[("", _l("— pilih jenis —")),
                                                     *((t.value, t.label) for t in ComplaintType)],
                       default=ComplaintType.PENGADUAN.value, validators=[DataRequired(_l("Pilih jenis laporan."))])
    category = SelectField(_l("Kategori"), coerce=_optional_select, choices=[], validate_choice=True)
    title = StringField(_l("Judul"), validators=[Optional(), Length(max=300)])
    text = TextAreaField(_l("Isi laporan"), validators=[
        DataRequired(_l("Isi laporan wajib diisi.")), Length(max=20000)])
    location = StringField(_l("Lokasi"), validators=[Optional(), Length(max=300)])
    submitted_at = DateTimeLocalField(_l("Diterima pada (WIB)"), format="%Y-%m-%dT%H:%M",
                                      validators=[Optional()])

    name = StringField(_l("Nama pelapor"), validators=[Optional(), Length(max=200)])
    nik = StringField(_l("NIK"), validators=[Optional()])
    phone = StringField(_l("Nomor HP / telepon"), validators=[Optional()])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    gender = SelectField(_l("Jenis kelamin"), choices=[("", _l("Tidak disebutkan")), ("L", _l("Laki-laki")),
                                                       ("P", _l("Perempuan"))], default="")
    has_disability = BooleanField(_l("Pelapor penyandang disabilitas"))
    is_anonymous = BooleanField(_l("Anonim: rahasiakan identitas pelapor"))
    is_confidential = BooleanField(_l("Rahasia: jangan tampilkan isi laporan kepada publik"))
    send_receipt = BooleanField(_l("Kirim tanda terima ke email pelapor"))

    def validate_nik(self, field):
        try:
            field.data = normalise_nik(field.data)
        except ContactError as exc:
            raise ValidationError(_l("NIK harus 16 digit angka.")) from exc

    def validate_phone(self, field):
        try:
            field.data = normalise_phone(field.data)
        except ContactError as exc:
            raise ValidationError(_l("Nomor telepon Indonesia tidak valid (contoh: 0812 3456 7890).")) from exc

    def validate_email(self, field):
        if not field.data:
            field.data = None
            return
        try:
            field.data = validate_email(field.data.strip(), check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValidationError(_l("Alamat email tidak valid.")) from exc

    def validate_send_receipt(self, field):
        if field.data and not self.email.data:
            raise ValidationError(_l("Isi email pelapor untuk mengirim tanda terima."))

    def validate_submitted_at(self, field):
        if field.data and field.data.date() > today_wib():
            raise ValidationError(_l("Tanggal diterima tidak boleh di masa depan."))

    def to_new_complaint(self, category: Category | None = None, *, opd: OPD | None = None) -> NewComplaint:
        """What :func:`portal.complaints.entry.create` takes, from the validated form (Kominfo's intake and
        the OPD desk's counter entry, which passes its ``opd``)."""
        return NewComplaint(
            channel=Channel(self.channel.data), type=ComplaintType(self.type.data), text=self.text.data,
            title=(self.title.data or "").strip() or None, category=category,
            location=(self.location.data or "").strip() or None,
            submitted_at=wib_to_utc(self.submitted_at.data) if self.submitted_at.data else None,
            is_anonymous=self.is_anonymous.data, is_confidential=self.is_confidential.data,
            reporter={"name": (self.name.data or "").strip() or None, "nik": self.nik.data, "phone": self.phone.data,
                      "email": self.email.data, "gender": Gender(self.gender.data) if self.gender.data else None,
                      "has_disability": bool(self.has_disability.data)},
            entered_at_opd=opd,
        )

"""Forms of the Kominfo workspace: complaint actions, bulk actions, people and settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from portal.complaints.models import NORMS, ComplaintType, PostponeReason, ReplyChannel


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ActionForm(FlaskForm):
    """Every complaint action carries the version it was rendered from (optimistic locking)."""

    version = HiddenField()
    #: ``queue`` (an inline row) or ``page`` (the complaint page)
    ctx = HiddenField()
    #: where a plain (non-htmx) post returns to
    next = HiddenField()
    #: the explicit switch that publishes this action's note (redacted); notes are internal otherwise
    public_note = BooleanField(_l("Tampilkan catatan ini di halaman publik (data pribadi disamarkan)"))


TYPE_CHOICES = [(t.value, t.label) for t in ComplaintType]
NORM_CHOICES = [("", _l("Sesuai kategori"))] + [(str(n), _l("%(n)s hari kerja", n=n)) for n in NORMS]


class VerifyForm(ActionForm):
    """Verify and forward in one step (docs/DOMAIN.md §4.2): classification plus the receiving OPD."""

    type = SelectField(_l("Jenis"), choices=TYPE_CHOICES)
    category = SelectField(_l("Kategori"), choices=[], validate_choice=False)
    norm = SelectField(_l("Norma penyelesaian"), choices=NORM_CHOICES, validate_choice=False)
    opd = SelectField(_l("Teruskan ke OPD"), choices=[], validate_choice=False, validators=[DataRequired()])
    note = StringField(_l("Catatan"), validators=[Optional(), Length(max=500)], filters=[_strip])

    def validate_norm(self, field):
        if field.data and field.data not in {str(n) for n in NORMS}:
            raise ValidationError(_l("Norma harus 5, 14 atau 60 hari kerja."))

    def validate_category(self, field):
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("Kategori tidak dikenal."))


class DispatchForm(ActionForm):
    opd = SelectField(_l("OPD tujuan"), choices=[], validate_choice=False, validators=[DataRequired()])
    note = StringField(_l("Catatan disposisi"), validators=[Optional(), Length(max=500)], filters=[_strip])


POSTPONE_KINDS = [(r.value, r.label) for r in PostponeReason]
REPLY_CHANNELS = [(r.value, r.label) for r in ReplyChannel]


class PostponeForm(ActionForm):
    kind = SelectField(_l("Jenis penundaan"), choices=POSTPONE_KINDS,
                       default=PostponeReason.BERKAS_BELUM_LENGKAP.value)
    reason = TextAreaField(_l("Alasan penundaan"), validators=[DataRequired(), Length(max=1000)],
                           filters=[_strip])


class ReplyForm(ActionForm):
    """A reply of the reporter received by phone, letter, e-mail … (indicator 11)."""

    via = SelectField(_l("Diterima melalui"), choices=REPLY_CHANNELS)
    received_on = DateField(_l("Tanggal diterima"), validators=[Optional()])
    text = TextAreaField(_l("Isi tanggapan pelapor"), validators=[DataRequired(), Length(max=2000)],
                         filters=[_strip])


#: out of authority is never archived but forwarded (the ``teruskan`` action, ForwardForm); archives made
#: with the old "Di luar kewenangan" reason keep it in their history
ARCHIVE_REASONS = [
    ("tidak_jelas", _l("Laporan tidak jelas / tidak dapat dipahami")),
    ("duplikat", _l("Duplikat laporan lain")),
]


class ArchiveForm(ActionForm):
    reason = SelectField(_l("Alasan pengarsipan"), choices=ARCHIVE_REASONS)
    duplicate_of = StringField(_l("Duplikat dari (ID Laporan)"), validators=[Optional(), Length(max=40)],
                               filters=[_strip])
    note = StringField(_l("Keterangan"), validators=[Optional(), Length(max=500)], filters=[_strip])

    def validate_duplicate_of(self, field):
        if self.reason.data == "duplikat" and not field.data:
            raise ValidationError(_l("Isi ID Laporan yang diduplikasi."))


class ForwardForm(ActionForm):
    """Teruskan: out of the province's authority, to the competent instansi (no wrong door)."""

    instansi = SelectField(_l("Instansi tujuan"), choices=[], validators=[DataRequired()])
    reason = TextAreaField(_l("Alasan penerusan"), validators=[DataRequired(), Length(max=1000)],
                           filters=[_strip])
    forwarded_on = DateField(_l("Tanggal diteruskan"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        from portal.complaints.forwarding import active_instansi

        super().__init__(*args, **kwargs)
        self.instansi.choices = [("", _l("— pilih instansi —"))] + [(str(i.id), i.name) for i in active_instansi()]


class NoteForm(ActionForm):
    """Reopen and finish: an optional note."""

    note = StringField(_l("Catatan"), validators=[Optional(), Length(max=500)], filters=[_strip])


BULK_ACTIONS = [
    ("verify", _l("Verifikasi & teruskan ke OPD (kategori & norma tetap)")),
    ("dispatch", _l("Disposisi ke OPD")),
    ("postpone", _l("Tunda laporan")),
    ("archive", _l("Arsipkan")),
]


class BulkForm(FlaskForm):
    action = SelectField(_l("Tindakan massal"), choices=BULK_ACTIONS)
    opd = SelectField(_l("OPD tujuan"), choices=[], validate_choice=False)
    reason = StringField(_l("Alasan"), validators=[Optional(), Length(max=500)], filters=[_strip])
    #: no reason is pre-selected: archiving many complaints needs a deliberate choice
    archive_reason = SelectField(_l("Alasan pengarsipan"), choices=[("", _l("— pilih alasan —")), *ARCHIVE_REASONS],
                                 validate_choice=False)
    next = HiddenField()


# --- people & settings -------------------------------------------------------------------------

class OPDForm(FlaskForm):
    code = StringField(_l("Kode"), validators=[DataRequired(), Length(max=32)], filters=[_strip])
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    parent = SelectField(_l("Induk (untuk UPT/unit)"), choices=[], validate_choice=False)
    aliases = StringField(_l("Nama lain (pisahkan dengan koma)"), validators=[Optional(), Length(max=1000)],
                          filters=[_strip])
    email = EmailField(_l("Email OPD"), validators=[Optional(), Email(), Length(max=200)], filters=[_strip])
    active = BooleanField(_l("Aktif"), default=True)

    def validate_code(self, field):
        code = (field.data or "").upper()
        if not code.replace("_", "").replace("-", "").isalnum():
            raise ValidationError(_l("Kode hanya huruf, angka, '-' atau '_'."))
        field.data = code


ROLE_CHOICES = [("kominfo", "Kominfo"), ("opd", _l("Pejabat penghubung OPD")), ("pimpinan", _l("Pimpinan")),
                ("ombudsman", "Ombudsman")]


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip])
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)], filters=[_strip])
    role = SelectField(_l("Peran"), choices=ROLE_CHOICES)
    opd = SelectField(_l("OPD"), choices=[], validate_choice=False)
    awaiting = BooleanField(_l("Belum bertugas: OPD diberikan oleh serah terima pada hari pertamanya"))
    password = PasswordField(_l("Kata sandi awal"), validators=[DataRequired(), Length(max=200)])

    def validate_opd(self, field):
        if self.role.data == "opd" and not field.data and not self.awaiting.data:
            raise ValidationError(_l("Pejabat penghubung wajib memiliki OPD."))
        if self.role.data == "opd" and field.data and self.awaiting.data:
            raise ValidationError(_l("Pilih OPD atau tandai belum bertugas, tidak keduanya."))
        if self.role.data != "opd" and (field.data or self.awaiting.data):
            raise ValidationError(_l("Hanya peran OPD yang terikat pada OPD."))


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(), Length(max=200)])


class HandoverForm(FlaskForm):
    """A new liaison takes over an OPD; the current one leaves."""

    user = SelectField(_l("Pejabat penghubung baru"), choices=[], validate_choice=False,
                       validators=[DataRequired()])
    valid_from = DateField(_l("Mulai bertugas"), validators=[DataRequired()])
    note = StringField(_l("Dasar (mis. nomor SK)"), validators=[Optional(), Length(max=300)], filters=[_strip])
    old_account = SelectField(_l("Akun pejabat lama"), choices=[
        ("deactivate", _l("Nonaktifkan akun")),
        ("detach", _l("Cabut akses OPD (akun tetap ada)")),
        ("keep", _l("Tetap sebagai penghubung pendamping")),
    ])


class CategoryForm(FlaskForm):
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    parent = SelectField(_l("Induk"), choices=[], validate_choice=False)
    norm_days = SelectField(_l("Norma penyelesaian"), choices=[("", _l("Ikuti induk"))]
                            + [(str(n), _l("%(n)s hari kerja", n=n)) for n in NORMS])
    default_opd = SelectField(_l("OPD bawaan"), choices=[], validate_choice=False)
    keywords = TextAreaField(_l("Kata kunci (satu per baris)"), validators=[Optional(), Length(max=4000)])
    active = BooleanField(_l("Aktif"), default=True)


class HolidayForm(FlaskForm):
    date = DateField(_l("Tanggal"), validators=[DataRequired()])
    name = StringField(_l("Keterangan (mis. cuti bersama, SKB No. …)"),
                       validators=[DataRequired(), Length(max=200)], filters=[_strip])
    is_working_day = BooleanField(_l("Jadikan hari kerja (bukan libur)"))


class YearForm(FlaskForm):
    year = IntegerField(_l("Tahun"), validators=[Optional(), NumberRange(2000, 2100)])

"""Forms of the OPD liaison pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class FollowUpForm(FlaskForm):
    """A follow-up (tindak lanjut), optionally with attachments, moving to Proses or Selesai."""

    text = TextAreaField(_l("Tindak lanjut"), validators=[Optional(), Length(max=5000)], filters=[_strip])
    status = RadioField(_l("Status setelah dikirim"), default="proses",
                        choices=[("proses", _l("Proses — masih ditangani")),
                                 ("selesai", _l("Selesai — laporan sudah diselesaikan"))],
                        validators=[DataRequired()])
    files = MultipleFileField(_l("Lampiran (PDF, JPEG atau PNG)"))
    #: the complaint's version when the form was loaded (lost-update protection)
    version = HiddenField()


class ReturnForm(FlaskForm):
    """Bukan kewenangan: hand the complaint back to Kominfo with a reason."""

    reason = TextAreaField(_l("Alasan bukan kewenangan"), filters=[_strip],
                           validators=[DataRequired(_l("Alasan wajib diisi.")), Length(min=10, max=2000)])
    version = HiddenField()


class TemplateForm(FlaskForm):
    """A saved answer (template jawaban) of the OPD."""

    title = StringField(_l("Judul"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Isi jawaban"), filters=[_strip], validators=[DataRequired(), Length(max=5000)])


class DeleteForm(FlaskForm):
    """CSRF only, for the delete buttons."""

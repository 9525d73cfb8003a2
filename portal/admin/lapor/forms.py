"""Forms of the "Belum di LAPOR!" pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class TickForm(FlaskForm):
    """Tick an item off by hand: what was done in LAPOR!."""

    note = TextAreaField(_l("Catatan (apa yang sudah dimasukkan ke SP4N-LAPOR!)"),
                         validators=[DataRequired(_l("Catatan wajib diisi.")), Length(max=1000)])
    #: the worklist filter to return to
    jenis = HiddenField()


class LinkForm(FlaskForm):
    """The LAPOR! number a staff-entered complaint got there."""

    lapor_no = StringField(_l("Nomor SP4N-LAPOR! (ID Laporan)"),
                           validators=[DataRequired(_l("Nomor wajib diisi.")), Length(max=40)])

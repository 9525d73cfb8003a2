from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)])
    otp = StringField(_l("Kode autentikator (jika aktif)"), validators=[Optional(), Length(max=10)])
    next = HiddenField()


class EmptyForm(FlaskForm):
    """CSRF only, for POST-only buttons."""


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Ulangi kata sandi baru"), validators=[
        DataRequired(), EqualTo("new", message=_l("Kedua kata sandi baru tidak sama."))])


class TotpEnrolForm(FlaskForm):
    code = StringField(_l("Kode 6 angka dari aplikasi autentikator"),
                       validators=[DataRequired(), Length(min=6, max=10)])


class TotpDisableForm(FlaskForm):
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Kode autentikator"), validators=[DataRequired(), Length(min=6, max=10)])

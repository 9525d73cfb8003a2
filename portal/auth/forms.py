from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)])
    otp = StringField(_l("Kode autentikator (jika aktif)"), validators=[Optional(), Length(max=10)])
    next = HiddenField()


class EmptyForm(FlaskForm):
    """CSRF only, for POST-only buttons."""

"""WTForms' own validation messages in the UI language.

WTForms ships no Indonesian catalogue, so its English messages ("This field is required.") reached
Indonesian pages. :data:`INDONESIAN` translates every message of WTForms 3; :func:`init_app` hands
Flask-WTF a translations object (``request.wtforms_translations``, which Flask-WTF's
``Meta.get_translations`` reads) that answers in the current locale at validation time: Indonesian
from here, any other locale from WTForms' own catalogues (English is WTForms' source language).
"""

from __future__ import annotations

from typing import Any

from babel import support
from flask import Flask, request
from flask_babel import get_locale
from wtforms.i18n import messages_path

#: msgid -> Indonesian (a plural msgid maps to one text: Indonesian does not inflect for number)
INDONESIAN: dict[str, str] = {
    "Invalid field name '%s'.": "Nama isian '%s' tidak dikenal.",
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "Field must be at least %(min)d character long.": "Isian paling sedikit %(min)d karakter.",
    "Field cannot be longer than %(max)d character.": "Isian paling banyak %(max)d karakter.",
    "Field must be exactly %(max)d character long.": "Isian harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": "Isian harus %(min)d sampai %(max)d karakter.",
    "Number must be at least %(min)s.": "Angka paling kecil %(min)s.",
    "Number must be at most %(max)s.": "Angka paling besar %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "This field is required.": "Isian ini wajib diisi.",
    "Invalid input.": "Isian tidak valid.",
    "Invalid email address.": "Alamat email tidak valid.",
    "Invalid IP address.": "Alamat IP tidak valid.",
    "Invalid Mac address.": "Alamat MAC tidak valid.",
    "Invalid URL.": "URL tidak valid.",
    "Invalid UUID.": "UUID tidak valid.",
    "Invalid value, must be one of: %(values)s.": "Nilai tidak valid, harus salah satu dari: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Nilai tidak valid, tidak boleh salah satu dari: %(values)s.",
    "This field cannot be edited.": "Isian ini tidak dapat diubah.",
    "This field is disabled and cannot have a value.": "Isian ini nonaktif dan tidak boleh berisi nilai.",
    "Invalid CSRF Token.": "Token keamanan formulir tidak valid. Muat ulang halaman lalu kirim lagi.",
    "CSRF token missing.": "Token keamanan formulir tidak ada. Muat ulang halaman lalu kirim lagi.",
    "CSRF failed.": "Pemeriksaan keamanan formulir gagal. Muat ulang halaman lalu kirim lagi.",
    "CSRF token expired.": "Token keamanan formulir kedaluwarsa. Muat ulang halaman lalu kirim lagi.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "Choices cannot be None.": "Pilihan tidak boleh kosong.",
    "Not a valid choice.": "Pilihan tidak valid.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Satu atau lebih pilihan tidak valid.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang valid untuk isian ini.",
    "Not a valid datetime value.": "Tanggal dan waktu tidak valid.",
    "Not a valid date value.": "Tanggal tidak valid.",
    "Not a valid time value.": "Waktu tidak valid.",
    "Not a valid week value.": "Minggu tidak valid.",
    "Not a valid integer value.": "Bukan bilangan bulat yang valid.",
    "Not a valid decimal value.": "Bukan bilangan desimal yang valid.",
    "Not a valid float value.": "Bukan bilangan yang valid.",
}
#: plural msgids -> their singular (the key of :data:`INDONESIAN`)
_PLURALS = {
    "Field must be at least %(min)d characters long.": "Field must be at least %(min)d character long.",
    "Field cannot be longer than %(max)d characters.": "Field cannot be longer than %(max)d character.",
    "Field must be exactly %(max)d characters long.": "Field must be exactly %(max)d character long.",
    "'%(value)s' are not valid choices for this field.": "'%(value)s' is not a valid choice for this field.",
}
_catalogues: dict[str, Any] = {}


def _wtforms_catalogue(locale: str) -> Any:
    if locale not in _catalogues:
        _catalogues[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
    return _catalogues[locale]


def _locale() -> str:
    return str(get_locale() or "id")


class FormTranslations:
    """What WTForms asks for (``gettext``/``ngettext``, and the ``u`` names Flask-WTF calls)."""

    def gettext(self, string: str) -> str:
        if _locale() == "id":
            return INDONESIAN.get(string, string)
        return _wtforms_catalogue(_locale()).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if _locale() == "id":
            return INDONESIAN.get(singular, INDONESIAN.get(_PLURALS.get(plural, ""), singular if n == 1 else plural))
        return _wtforms_catalogue(_locale()).ungettext(singular, plural, n)

    ugettext = gettext
    ungettext = ngettext


TRANSLATIONS = FormTranslations()


def init_app(app: Flask) -> None:
    @app.before_request
    def _form_translations() -> None:
        request.wtforms_translations = TRANSLATIONS  # type: ignore[attr-defined]  # read by Flask-WTF

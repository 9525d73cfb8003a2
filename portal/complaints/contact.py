"""Reporter contact data: NIK, Indonesian phone numbers (to +62), e-mail addresses."""

from __future__ import annotations

import re

import phonenumbers

#: numbers without a country code are Indonesian
REGION = "ID"
_SEPARATORS = re.compile(r"[\s\-.()/]+")
#: the common mobile spellings (08…, 628…, +628…) without a full parse
_MOBILE = re.compile(r"^(?:\+62|62|0)(8\d{7,11})$")
_NIK = re.compile(r"^\d{16}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


class ContactError(ValueError):
    """A value that is not a valid NIK, phone number or e-mail address."""


def is_valid_phone(text: str) -> bool:
    """Whether ``phonenumbers`` knows ``text`` as a valid number (national numbers read as Indonesian)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, REGION))
    except phonenumbers.NumberParseException:
        return False


def normalise_phone(raw: str | None) -> str | None:
    """An Indonesian phone number in E.164 form (``+6281234567890``); ``None`` when empty.

    The one normaliser of reporters' numbers: staff entry, the LAPOR! import and Open311 all store its
    result. Raises :class:`ContactError` when it is not a valid number.
    """
    text = (raw or "").strip()
    if not text:
        return None
    compact = _SEPARATORS.sub("", text)
    m = _MOBILE.match(compact)
    if m:
        return "+62" + m.group(1)
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException as exc:
        raise ContactError("phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ContactError("phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_nik(raw: str | None) -> str | None:
    """A NIK (Nomor Induk Kependudukan): exactly 16 digits; spaces and dots are dropped."""
    text = _SEPARATORS.sub("", (raw or "").strip())
    if not text:
        return None
    if not _NIK.match(text):
        raise ContactError("nik")
    return text


def looks_like_email(raw: str | None) -> str | None:
    """A cheap shape check for bulk imports (the staff form uses ``email-validator``)."""
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.match(text):
        raise ContactError("email")
    return text

"""TOTP two-factor sign-in (RFC 6238, pyotp) with a QR code for enrolment (segno)."""

from __future__ import annotations

import datetime as dt
import hmac
import time

import pyotp
import segno

ISSUER = "Portal SP4N-LAPOR!"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a ``data:`` URI (allowed by the CSP's ``img-src 'self' data:``)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def matching_step(secret: str | None, code: str | None, at: float | None = None) -> int | None:
    """The time step ``code`` is valid for (now, or one 30-second step of clock drift either way)."""
    if not secret or not code:
        return None
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    otp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    for offset in (0, -1, 1):
        moment = now + offset * otp.interval
        if hmac.compare_digest(code, otp.at(int(moment))):
            return otp.timecode(dt.datetime.fromtimestamp(moment, dt.UTC))
    return None


def verify(secret: str | None, code: str | None) -> bool:
    """Is ``code`` valid for ``secret`` now? (enrolment: no step has been used yet)"""
    return matching_step(secret, code) is not None


def accept(user, code: str | None) -> bool:
    """Accept ``code`` for ``user`` once: a code of the last accepted step or an earlier one is a replay.

    Remembers the step on the user (the caller commits).
    """
    step = matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True

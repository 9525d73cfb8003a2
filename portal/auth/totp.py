"""TOTP two-factor sign-in (RFC 6238, pyotp) with a QR code for enrolment (segno)."""

from __future__ import annotations

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


def verify(secret: str | None, code: str | None) -> bool:
    """Is ``code`` valid for ``secret`` now (one 30-second step of clock drift either way)?"""
    if not secret or not code:
        return False
    code = code.strip().replace(" ", "")
    return code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)

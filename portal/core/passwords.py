"""Password policy for staff accounts."""

from __future__ import annotations

COMMON = {"password", "passw0rd", "12345678", "123456789", "1234567890", "qwertyuiop", "admin123",
          "bismillah", "indonesia", "katasandi", "rahasia123", "password123"}
MIN_LENGTH = 10


def problems(password: str | None, email: str | None = None) -> list[str]:
    """Reasons a password is refused (empty list when acceptable), in Indonesian."""
    if not password:
        return ["kata sandi wajib diisi"]
    out = []
    if len(password) < MIN_LENGTH:
        out.append(f"minimal {MIN_LENGTH} karakter")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        out.append("harus memuat huruf dan angka")
    if password.lower() in COMMON:
        out.append("terlalu umum")
    if email and email.split("@")[0].lower() in password.lower() and len(email.split("@")[0]) >= 3:
        out.append("tidak boleh memuat nama email")
    return out

"""Masking of a reporter's personal data until a staff member explicitly reveals it."""

from __future__ import annotations


def mask_name(value: str | None) -> str | None:
    if not value:
        return value
    return " ".join(w[0] + "•" * max(len(w) - 1, 2) for w in value.split())


def mask_tail(value: str | None, keep_start: int = 2, keep_end: int = 2) -> str | None:
    if not value:
        return value
    if len(value) <= keep_start + keep_end:
        return "•" * len(value)
    return value[:keep_start] + "•" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_email(value: str | None) -> str | None:
    if not value or "@" not in value:
        return mask_tail(value)
    local, _, domain = value.partition("@")
    return local[:1] + "•" * max(len(local) - 1, 2) + "@" + domain


def reporter_view(reporter, revealed: bool) -> dict | None:
    """What the page shows of the reporter: masked unless ``revealed``."""
    if reporter is None:
        return None
    if revealed:
        return {"name": reporter.name, "nik": reporter.nik, "phone": reporter.phone, "email": reporter.email}
    return {"name": mask_name(reporter.name), "nik": mask_tail(reporter.nik, 2, 2),
            "phone": mask_tail(reporter.phone, 5, 2), "email": mask_email(reporter.email)}

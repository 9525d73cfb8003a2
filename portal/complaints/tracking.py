"""Tracking numbers minted here (imported complaints keep LAPOR!'s): :func:`new_tracking_no`.

- entered by staff: ``PRV-2026-000123``;
- received through Open311: ``311`` and nine random digits (unguessable by the sending system).

LAPOR! numbers are digits only, and the importer refuses any ``ID Laporan`` that starts with
:data:`STAFF_PREFIX`, so a staff number can never collide with an imported one. Within the prefix
the next free sequence number of the year is taken; the unique constraint on ``tracking_no`` settles
the rare race between two desks (the caller retries, see :func:`portal.complaints.entry.create`).
"""

from __future__ import annotations

import enum
import secrets

import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.extensions import db

#: numbers of complaints entered at the provincial desk (provinsi)
STAFF_PREFIX = "PRV-"
SEQ_DIGITS = 6


class Source(enum.StrEnum):
    STAFF = "staff"
    OPEN311 = "open311"


def new_tracking_no(source: Source, *, year: int | None = None, skip: int = 0) -> str:
    """An unused tracking number for a complaint from ``source`` (``year``/``skip``: staff numbers only)."""
    if source == Source.STAFF:
        from portal.core.timeutil import today_wib

        return next_tracking_no(year or today_wib().year, skip=skip)
    while True:
        no = "311" + "".join(secrets.choice("0123456789") for _ in range(9))
        if not _taken(no):
            return no


def _taken(number: str) -> bool:
    return db.session.scalar(sa.select(Complaint.id).where(Complaint.tracking_no == number)) is not None


def is_staff_number(tracking_no: str) -> bool:
    return tracking_no.upper().startswith(STAFF_PREFIX)


def next_tracking_no(year: int, *, skip: int = 0) -> str:
    """The next unused staff number of ``year`` (``skip`` moves past numbers lost to a race)."""
    prefix = f"{STAFF_PREFIX}{year}-"
    last = db.session.scalar(
        sa.select(Complaint.tracking_no)
        .where(Complaint.tracking_no.like(prefix + "%"))
        .order_by(sa.func.length(Complaint.tracking_no).desc(), Complaint.tracking_no.desc())
        .limit(1)
    )
    seq = 0
    if last:
        tail = last[len(prefix):]
        seq = int(tail) if tail.isdigit() else 0
    seq += 1 + skip
    while True:
        candidate = f"{prefix}{seq:0{SEQ_DIGITS}d}"
        if not _taken(candidate):
            return candidate
        seq += 1

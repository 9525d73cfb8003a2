"""Tracking numbers for complaints entered by staff: ``PRV-2026-000123``.

LAPOR! numbers are digits only, and the importer refuses any ``ID Laporan`` that starts with
:data:`STAFF_PREFIX`, so a staff number can never collide with an imported one. Within the prefix
the next free sequence number of the year is taken; the unique constraint on ``tracking_no`` settles
the rare race between two desks (the caller retries, see :func:`portal.complaints.entry.create`).
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.extensions import db

#: numbers of complaints entered at the provincial desk (provinsi)
STAFF_PREFIX = "PRV-"
SEQ_DIGITS = 6


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
        taken = db.session.scalar(sa.select(Complaint.id).where(Complaint.tracking_no == candidate))
        if taken is None:
            return candidate
        seq += 1

"""Complaints entered by staff: walk-in (tatap muka), phone, letter, e-mail and SMS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from portal.complaints import lapor_sync
from portal.complaints.lapor_sync import SyncKind
from portal.complaints.models import Category, Channel, Complaint, ComplaintEvent, ComplaintType, Reporter, Status
from portal.complaints.operations import default_norm, record_event, refresh_due_date
from portal.complaints.tracking import Source, new_tracking_no
from portal.core.db import utcnow
from portal.extensions import db
from portal.people.models import OPD, Role, User

#: the channels a desk receives complaints through
STAFF_CHANNELS = (Channel.TATAP_MUKA, Channel.TELEPON, Channel.SURAT, Channel.EMAIL, Channel.SMS)
MAX_ATTEMPTS = 5


@dataclass
class NewComplaint:
    channel: Channel
    type: ComplaintType
    text: str
    title: str | None = None
    category: Category | None = None
    location: str | None = None
    submitted_at: dt.datetime | None = None
    is_anonymous: bool = False
    is_confidential: bool = False
    #: name, nik, phone, email, gender, has_disability (already normalised)
    reporter: dict[str, Any] | None = None
    #: received at this OPD's own counter and entered by its liaison (docs/DOMAIN.md §13); it still goes
    #: to Kominfo's verification queue (no OPD assigned), the event records where it came in
    entered_at_opd: OPD | None = None


def create(data: NewComplaint, actor: User) -> Complaint:
    """A new complaint (status Belum Terverifikasi) with a fresh staff tracking number.

    Flushes, never commits. Two desks taking the same number at once: the loser's flush hits
    the unique constraint, its (only) work is rolled back and retried with the next number.
    """
    actor_id = actor.id
    for attempt in range(MAX_ATTEMPTS):
        number = new_tracking_no(Source.STAFF, skip=attempt)
        complaint = _build(data, number, db.session.get(User, actor_id))
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            db.session.rollback()
            if attempt == MAX_ATTEMPTS - 1:
                raise
            if data.category is not None:
                data.category = db.session.get(Category, data.category.id)
            if data.entered_at_opd is not None:
                data.entered_at_opd = db.session.get(OPD, data.entered_at_opd.id)
            continue
        return complaint
    raise RuntimeError("unreachable")


def _build(data: NewComplaint, number: str, actor: User | None) -> Complaint:
    now = utcnow()
    complaint = Complaint(
        tracking_no=number, submitted_at=data.submitted_at or now, title=data.title or None,
        text=data.text.strip(), type=data.type, channel=data.channel, category=data.category,
        status=Status.BELUM_TERVERIFIKASI, location=data.location or None, is_anonymous=data.is_anonymous,
        is_confidential=data.is_confidential, source="staff", last_activity_at=now,
        norm_days=default_norm(data.type, data.category),
    )
    rep = {k: v for k, v in (data.reporter or {}).items() if v not in (None, "", False)}
    if rep:
        complaint.reporter = Reporter(**rep)
    db.session.add(complaint)
    refresh_due_date(complaint)
    changes: dict[str, list[Any]] = {"channel": [None, data.channel.value]}
    if data.entered_at_opd is not None:
        changes["entered_at_opd"] = [None, data.entered_at_opd.code]
    record_event(complaint, "created", actor, public=True, to_status=Status.BELUM_TERVERIFIKASI, changes=changes)
    lapor_sync.note(complaint, SyncKind.LAPORAN_BARU, actor, at=now)
    return complaint


def entered_at_opd(complaint_ids: list[int]) -> dict[int, str]:
    """``{complaint id: OPD code}`` of the complaints among ``complaint_ids`` that an OPD liaison entered
    at its own counter (the queue's marker)."""
    if not complaint_ids:
        return {}
    rows = db.session.execute(
        sa.select(ComplaintEvent.complaint_id, ComplaintEvent.changes)
        .join(User, User.id == ComplaintEvent.actor_id)
        .where(ComplaintEvent.complaint_id.in_(complaint_ids), ComplaintEvent.kind == "created",
               User.role == Role.OPD)).all()
    out = {}
    for cid, changes in rows:
        code = (changes or {}).get("entered_at_opd", [None, None])[1]
        if code:
            out[cid] = code
    return out


def tracking_url(tracking_no: str) -> str:
    """The public tracking page of a complaint, as printed on the receipt and in its QR code."""
    from portal.core.urls import public_base_url

    base = public_base_url()
    return f"{base}/lacak/{quote(tracking_no, safe='')}"


def qr_svg_data_uri(tracking_no: str) -> str:
    import segno

    return segno.make(tracking_url(tracking_no), error="m").svg_data_uri(scale=4, border=2)


def qr_png(tracking_no: str) -> bytes:
    import io

    import segno

    buf = io.BytesIO()
    segno.make(tracking_url(tracking_no), error="m").save(buf, kind="png", scale=6, border=2)
    return buf.getvalue()

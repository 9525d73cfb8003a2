"""Stored due dates follow the calendar: recompute them after an override edit or a package upgrade.

Only open complaints (Belum Terverifikasi, Belum Ditindaklanjuti, Proses, Tunda) are recomputed;
nothing closed is touched or reopened. Each complaint whose completion due date or current stage
deadline moved gets one internal ``recomputed`` event with the old and new dates. The update does
not bump the complaint's version: a form open on it stays valid (its own fields did not change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from portal.complaints.models import Complaint, ComplaintEvent, Status
from portal.complaints.operations import stage_due
from portal.core.db import utcnow
from portal.core.timeutil import date_start_utc, wib_date
from portal.core.workdays import WorkCalendar, get_calendar
from portal.extensions import db

S = Status
BATCH = 2000


def recompute_due_dates(days: Iterable[dt.date] | None = None, *, dry_run: bool = False,
                        calendar: WorkCalendar | None = None) -> int:
    """Recompute ``due_date`` and ``stage_due_date`` of open complaints; return how many moved.

    ``days``: the days whose status changed (an override added or removed). A day can only move a
    deadline whose window (start, due] contains it, so only complaints submitted on or before the
    latest such day with a deadline on or after the earliest are read. ``None``: every open
    complaint (after a package upgrade). Only flushes; the caller commits (or rolls back).
    """
    cal = calendar or get_calendar()
    c = Complaint
    conds: list[sa.ColumnElement[bool]] = [c.status.in_(S.OPEN)]
    days = sorted(set(days)) if days is not None else None
    if days is not None:
        if not days:
            return 0
        conds += [c.submitted_at < date_start_utc(days[-1] + dt.timedelta(days=1)),
                  sa.or_(c.due_date >= days[0], c.stage_due_date >= days[0])]
    moved = 0
    last = 0
    now = utcnow()
    while True:
        rows = db.session.execute(
            sa.select(c.id, c.status, c.submitted_at, c.verified_at, c.dispatched_at, c.first_followup_at,
                      c.returned_at, c.norm_days, c.due_date, c.stage_due_date)
            .where(*conds, c.id > last).order_by(c.id).limit(BATCH)).all()
        if not rows:
            break
        updates, events = [], []
        for r in rows:
            start = r.dispatched_at or r.verified_at or r.submitted_at
            due = cal.add_working_days(wib_date(start), r.norm_days)
            stage = stage_due(r.status, r.submitted_at, r.dispatched_at, r.first_followup_at, r.returned_at,
                              due, cal)
            if due == r.due_date and stage == r.stage_due_date:
                continue
            moved += 1
            updates.append({"b_id": r.id, "b_due": due, "b_stage": stage})
            changes = {}
            if due != r.due_date:
                changes["due_date"] = [_iso(r.due_date), _iso(due)]
            if stage != r.stage_due_date:
                changes["stage_due_date"] = [_iso(r.stage_due_date), _iso(stage)]
            events.append({"complaint_id": r.id, "at": now, "kind": "recomputed", "actor_id": None,
                           "from_status": None, "to_status": None, "changes": changes,
                           "note": "Tenggat dihitung ulang: kalender hari kerja berubah.", "is_public": False})
        if updates and not dry_run:
            t = Complaint.__table__
            db.session.execute(sa.update(t).where(t.c.id == sa.bindparam("b_id"))
                               .values(due_date=sa.bindparam("b_due"), stage_due_date=sa.bindparam("b_stage")), updates)
            db.session.execute(sa.insert(ComplaintEvent), events)
        last = rows[-1].id
    if moved and not dry_run:
        db.session.expire_all()  # loaded complaints see the new dates
    return moved


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None

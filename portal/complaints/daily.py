"""The daily rules on complaints: the account changes of liaison handovers starting today (first, so the
day's mail and access follow the roster), closure by the 10-working-day rule and overdue marks (then the
digests and reminders of :mod:`portal.notifications`). Run by ``flask --app portal daily`` (cron); idempotent: a
second run on the same day changes and queues nothing new. Only flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.complaints.models import Complaint, ComplaintEvent, Status
from portal.core.timeutil import date_start_utc, today_wib, wib_date
from portal.core.workdays import get_calendar
from portal.extensions import db

S = Status
AUTO_FINISH_NOTE = "Selesai otomatis: {n} hari kerja tanpa tanggapan pelapor atau admin setelah tindak lanjut."
BATCH = 500


@dataclass
class DailyResult:
    finished: list[str] = field(default_factory=list)
    overdue_marked: int = 0
    digests: int = 0
    reminders: int = 0
    #: escalation ladder steps recorded per step kind, and its mail (portal/complaints/escalation.py)
    escalated: dict[str, int] = field(default_factory=dict)
    escalation_mails: int = 0
    #: accounts changed by handovers whose first day has come (portal/people/liaisons.py)
    handover_accounts: int = 0

    def summary(self) -> str:
        return (f"closed {len(self.finished)} (10-working-day rule), marked {self.overdue_marked} overdue, "
                f"queued {self.digests} digests and {self.reminders} reminders; escalated "
                + ", ".join(f"{k.removeprefix('escalation_')} {n}" for k, n in self.escalated.items())
                + f" ({self.escalation_mails} notices); changed {self.handover_accounts} accounts by handovers")


def silence_cutoff(today: dt.date, days: int = ops.CLOSE_AFTER_SILENCE_DAYS) -> dt.date:
    """The latest activity date (WIB) that has had ``days`` working days of silence by ``today``."""
    cal = get_calendar()
    day = today
    while cal.add_working_days(day, days) > today:
        day -= dt.timedelta(days=1)
    return day


def close_silent(today: dt.date) -> list[str]:
    """Proses with a follow-up and 10 working days without activity → Selesai, with an event."""
    cutoff = silence_cutoff(today)
    cal = get_calendar()
    c = Complaint
    done: list[str] = []
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(c).where(c.status == S.PROSES, c.first_followup_at.is_not(None),
                               sa.func.coalesce(c.last_activity_at, c.first_followup_at)
                               < date_start_utc(cutoff + dt.timedelta(days=1)),
                               c.id > last_id)
            .order_by(c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        for complaint in rows:
            last = complaint.last_activity_at or complaint.first_followup_at
            if cal.add_working_days(wib_date(last), ops.CLOSE_AFTER_SILENCE_DAYS) > today:
                continue
            ops.finish(complaint, None, note=AUTO_FINISH_NOTE.format(n=ops.CLOSE_AFTER_SILENCE_DAYS),
                       kind="auto_finished")
            done.append(complaint.tracking_no)
        last_id = rows[-1].id
        db.session.flush()
    return done


def mark_overdue(today: dt.date) -> int:
    """One internal ``overdue`` event per complaint and stage deadline once that deadline has passed."""
    c, e = Complaint, ComplaintEvent
    already = (sa.select(e.id).where(e.complaint_id == c.id, e.kind == "overdue",
                                     e.note == sa.cast(c.stage_due_date, sa.String)).exists())
    rows = db.session.execute(
        sa.select(c.id, c.stage_due_date.label("due_date"), c.status)
        .where(c.status.in_(S.ACTIVE), c.stage_due_date < today, ~already)
    ).all()
    if rows:
        now = dt.datetime.now(dt.UTC)
        db.session.execute(sa.insert(ComplaintEvent), [
            {"complaint_id": r.id, "at": now, "kind": "overdue", "actor_id": None, "from_status": None,
             "to_status": None, "changes": {"due_date": [None, r.due_date.isoformat()]},
             "note": r.due_date.isoformat(), "is_public": False}
            for r in rows
        ])
    return len(rows)


def run_daily(today: dt.date | None = None, *, notify: bool = True) -> DailyResult:
    """The whole daily job in one transaction (committed, or rolled back for a dry run, by the caller)."""
    from portal.notifications import queue_digests, queue_reminders

    today = today or today_wib()
    result = DailyResult()
    from portal.people.liaisons import apply_due_handovers

    result.handover_accounts = apply_due_handovers(today)
    result.finished = close_silent(today)
    result.overdue_marked = mark_overdue(today)
    from portal.complaints import escalation

    escalated = escalation.escalate(today, notify=notify)
    result.escalated, result.escalation_mails = escalated.steps, escalated.mails
    if notify:
        result.digests = queue_digests(today)
        result.reminders = queue_reminders(today)
    return result

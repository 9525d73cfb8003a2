"""Every change to a complaint goes through here: allowed transitions, events, due dates.

Operations only ``flush()``; the request (or CLI command) commits once at the end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _

from portal.complaints.models import (
    DEFAULT_NORM,
    NORMS,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintType,
    FollowUp,
    PostponeReason,
    Status,
)
from portal.core.db import utcnow
from portal.core.models import OPD, User
from portal.core.timeutil import wib_date
from portal.core.workdays import WorkCalendar, get_calendar
from portal.extensions import db

S = Status

#: status -> statuses it may move to
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.BELUM_TERVERIFIKASI: frozenset({S.BELUM_DITINDAKLANJUTI, S.TUNDA, S.ARSIP}),
    S.BELUM_DITINDAKLANJUTI: frozenset({S.PROSES, S.SELESAI, S.TUNDA, S.ARSIP}),
    S.PROSES: frozenset({S.SELESAI, S.TUNDA, S.ARSIP}),
    S.TUNDA: frozenset({S.BELUM_TERVERIFIKASI, S.BELUM_DITINDAKLANJUTI, S.PROSES, S.ARSIP}),
    S.SELESAI: frozenset({S.PROSES}),
    S.ARSIP: frozenset({S.BELUM_TERVERIFIKASI}),
}

#: verification by the admin, first follow-up by the OPD, closure by silence (working days)
VERIFY_DAYS = 3
FIRST_FOLLOWUP_DAYS = 5
CLOSE_AFTER_SILENCE_DAYS = 10
AT_RISK_DAYS = 2


class TransitionError(ValueError):
    """A status change the rules do not allow."""


class ConflictError(RuntimeError):
    """Somebody else changed the complaint since the form was loaded."""

    def __init__(self, complaint: Complaint):
        super().__init__(f"complaint {complaint.tracking_no} changed (version {complaint.version})")
        self.complaint = complaint


def can_transition(src: Status, dst: Status) -> bool:
    return dst in TRANSITIONS[src]


def check_version(complaint: Complaint, expected: int | str | None) -> None:
    """Refuse to act on a stale form (optimistic locking at the form level).

    The mapper's ``version_id_col`` catches the race between two flushes as well.
    """
    if expected is None or expected == "":
        return
    if int(expected) != complaint.version:
        raise ConflictError(complaint)


def record_event(
    complaint: Complaint,
    kind: str,
    actor: User | None,
    *,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
    public: bool = False,
    from_status: Status | None = None,
    to_status: Status | None = None,
    at: dt.datetime | None = None,
) -> ComplaintEvent:
    event = ComplaintEvent(
        complaint=complaint,
        kind=kind,
        actor_id=actor.id if actor else None,
        changes=changes or {},
        note=note,
        is_public=public,
        from_status=from_status,
        to_status=to_status,
        at=at or utcnow(),
    )
    db.session.add(event)
    return event


def compute_due_date(complaint: Complaint, calendar: WorkCalendar | None = None) -> dt.date:
    """Start (dispatch, else verification, else submission, as a WIB date) + norm working days."""
    cal = calendar or get_calendar()
    return cal.add_working_days(wib_date(complaint.start_at), complaint.norm_days or DEFAULT_NORM)


def refresh_due_date(complaint: Complaint, calendar: WorkCalendar | None = None) -> None:
    complaint.due_date = compute_due_date(complaint, calendar)


def _set_status(complaint: Complaint, dst: Status, actor: User | None, *, note: str | None,
                kind: str = "status", changes: dict[str, Any] | None = None,
                at: dt.datetime | None = None) -> ComplaintEvent:
    src = complaint.status
    if not can_transition(src, dst):
        raise TransitionError(_("%(src)s → %(dst)s", src=_(src.label), dst=_(dst.label)))
    complaint.status = dst
    return record_event(complaint, kind, actor, from_status=src, to_status=dst, note=note,
                        public=True, changes=changes, at=at)


def verify(complaint: Complaint, actor: User, *, type: ComplaintType | None = None,  # noqa: A002
           category: Category | None = None, norm_days: int | None = None,
           note: str | None = None) -> None:
    """Screen and classify a complaint (the admin's 3-working-day step)."""
    if complaint.status != S.BELUM_TERVERIFIKASI:
        raise TransitionError(_("%(status)s: sudah diverifikasi", status=_(complaint.status.label)))
    changes: dict[str, Any] = {}
    if type is not None and type != complaint.type:
        changes["type"] = [complaint.type.value, type.value]
        complaint.type = type
    if category is not None and category.id != complaint.category_id:
        changes["category"] = [complaint.category.path if complaint.category else None, category.path]
        complaint.category = category
    norm = norm_days or (category.effective_norm() if category else None) or complaint.norm_days
    if norm not in NORMS:
        raise TransitionError(_("norma %(n)s hari kerja tidak dikenal", n=norm))
    if norm != complaint.norm_days:
        changes["norm_days"] = [complaint.norm_days, norm]
        complaint.norm_days = norm
    now = utcnow()
    if complaint.verified_at is None:
        complaint.verified_at = now
        changes["verified_at"] = [None, now.isoformat()]
    complaint.last_activity_at = now
    refresh_due_date(complaint)
    record_event(complaint, "verified", actor, changes=changes, note=note, public=True)


def dispatch(complaint: Complaint, actor: User, opd: OPD, *, note: str | None = None) -> None:
    """Send (disposisi) a complaint to an OPD; also re-dispatches a returned one."""
    if not opd.active:
        raise TransitionError(_("%(opd)s tidak aktif", opd=opd.name))
    now = utcnow()
    if complaint.status == S.BELUM_TERVERIFIKASI:
        if complaint.verified_at is None:
            complaint.verified_at = now
        _set_status(complaint, S.BELUM_DITINDAKLANJUTI, actor, note=note, kind="dispatched",
                    changes={"opd": [None, opd.code]}, at=now)
    elif complaint.status in (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.TUNDA):
        old = complaint.opd.code if complaint.opd else None
        if complaint.status == S.TUNDA:
            _set_status(complaint, S.BELUM_DITINDAKLANJUTI, actor, note=note, kind="dispatched",
                        changes={"opd": [old, opd.code]}, at=now)
        else:
            if complaint.opd_id == opd.id and complaint.returned_at is None:
                raise TransitionError(_("sudah didisposisikan ke %(opd)s", opd=opd.name))
            record_event(complaint, "dispatched", actor, changes={"opd": [old, opd.code]},
                         note=note, public=True, at=now)
    else:
        raise TransitionError(_("%(status)s: tidak dapat didisposisikan", status=_(complaint.status.label)))
    complaint.opd = opd
    complaint.opd_id = opd.id
    complaint.dispatched_at = now
    complaint.returned_at = None
    complaint.last_activity_at = now
    refresh_due_date(complaint)


def add_followup(complaint: Complaint, actor: User | None, text: str, *,
                 finish: bool = False, at: dt.datetime | None = None,
                 source: str = "portal") -> FollowUp:
    """Post a follow-up (tindak lanjut); moves the complaint to Proses, or Selesai."""
    text = (text or "").strip()
    if not text:
        raise TransitionError(_("tindak lanjut tidak boleh kosong"))
    if complaint.status not in (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.SELESAI):
        raise TransitionError(_("%(status)s: tidak dapat ditindaklanjuti", status=_(complaint.status.label)))
    now = at or utcnow()
    fu = FollowUp(complaint=complaint, opd_id=complaint.opd_id, author_id=actor.id if actor else None,
                  text=text, created_at=now, source=source)
    db.session.add(fu)
    if complaint.first_followup_at is None:
        complaint.first_followup_at = now
    complaint.last_activity_at = now
    target = S.SELESAI if finish else S.PROSES
    if complaint.status == S.SELESAI and not finish:
        _set_status(complaint, S.PROSES, actor, note=None, kind="followup", at=now)
        complaint.finished_at = None
    elif complaint.status != target:
        _set_status(complaint, target, actor, note=None, kind="followup", at=now)
        if finish:
            complaint.finished_at = now
    else:
        record_event(complaint, "followup", actor, public=True, at=now)
    return fu


def finish(complaint: Complaint, actor: User | None, *, note: str | None = None,
           kind: str = "status") -> None:
    """Close as Selesai; only a complaint with a follow-up can be finished."""
    if complaint.first_followup_at is None and not complaint.followups:
        raise TransitionError(_("Selesai memerlukan tindak lanjut"))
    _set_status(complaint, S.SELESAI, actor, note=note, kind=kind)
    complaint.finished_at = utcnow()


def postpone(complaint: Complaint, actor: User, reason: str,
             kind: PostponeReason = PostponeReason.LAINNYA) -> None:
    """Tunda: e.g. incomplete files, waiting for the reporter; ``kind`` is the structured reason."""
    if not reason.strip():
        raise TransitionError(_("alasan penundaan wajib diisi"))
    _set_status(complaint, S.TUNDA, actor, note=reason.strip(), changes={"postpone_reason": kind.value})
    complaint.status_reason = reason.strip()
    complaint.postpone_reason = kind


def archive(complaint: Complaint, actor: User, reason: str,
            duplicate_of: Complaint | None = None) -> None:
    """Arsip: unclear, duplicate, out of scope."""
    if not reason.strip():
        raise TransitionError(_("alasan pengarsipan wajib diisi"))
    changes = {}
    if duplicate_of is not None:
        if duplicate_of.id == complaint.id:
            raise TransitionError(_("laporan tidak dapat menjadi duplikat dirinya sendiri"))
        complaint.duplicate_of = duplicate_of
        complaint.duplicate_of_id = duplicate_of.id
        changes["duplicate_of"] = [None, duplicate_of.tracking_no]
    _set_status(complaint, S.ARSIP, actor, note=reason.strip(), changes=changes)
    complaint.status_reason = reason.strip()


def reopen(complaint: Complaint, actor: User, note: str | None = None) -> None:
    """Back to work: Arsip → Belum Terverifikasi, Selesai → Proses, Tunda → where it was."""
    if complaint.status == S.ARSIP:
        dst = S.BELUM_TERVERIFIKASI
    elif complaint.status == S.SELESAI:
        dst = S.PROSES
    elif complaint.status == S.TUNDA:
        if complaint.first_followup_at:
            dst = S.PROSES
        elif complaint.opd_id:
            dst = S.BELUM_DITINDAKLANJUTI
        else:
            dst = S.BELUM_TERVERIFIKASI
    else:
        raise TransitionError(_("%(status)s: tidak dapat dibuka kembali", status=_(complaint.status.label)))
    _set_status(complaint, dst, actor, note=note, kind="reopened")
    complaint.finished_at = None
    complaint.duplicate_of_id = None
    complaint.status_reason = None


def return_to_admin(complaint: Complaint, actor: User, reason: str) -> None:
    """Bukan kewenangan: the OPD hands it back to Kominfo for re-dispatch, history kept."""
    if not reason.strip():
        raise TransitionError(_("alasan pengembalian wajib diisi"))
    if complaint.status not in (S.BELUM_DITINDAKLANJUTI, S.PROSES) or complaint.opd_id is None:
        raise TransitionError(_("%(status)s: tidak dapat dikembalikan", status=_(complaint.status.label)))
    old = complaint.opd.code if complaint.opd else None
    src = complaint.status
    complaint.status = S.BELUM_DITINDAKLANJUTI
    complaint.returned_at = utcnow()
    complaint.status_reason = reason.strip()
    complaint.opd = None
    complaint.opd_id = None
    record_event(complaint, "returned", actor, from_status=src, to_status=complaint.status,
                 changes={"opd": [old, None]}, note=reason.strip(), public=True)


def deadline_state(due: dt.date | None, today: dt.date, *, done: bool = False,
                   calendar: WorkCalendar | None = None) -> str:
    """``met``, ``on_time``, ``at_risk`` (due within 2 working days) or ``overdue``."""
    if due is None:
        return "none"
    if done:
        return "met"
    if today > due:
        return "overdue"
    cal = calendar or get_calendar()
    return "at_risk" if cal.working_days_between(today, due) <= AT_RISK_DAYS else "on_time"


def deadlines(complaint: Complaint, today: dt.date, calendar: WorkCalendar | None = None) -> list[dict]:
    """The three deadlines of a complaint with their state."""
    cal = calendar or get_calendar()
    out = []
    verify_due = cal.add_working_days(wib_date(complaint.submitted_at), VERIFY_DAYS)
    out.append({"key": "verifikasi", "label": "Verifikasi", "days": VERIFY_DAYS, "due": verify_due,
                "state": deadline_state(verify_due, today, done=complaint.verified_at is not None,
                                        calendar=cal)})
    if complaint.dispatched_at:
        fu_due = cal.add_working_days(wib_date(complaint.dispatched_at), FIRST_FOLLOWUP_DAYS)
        out.append({"key": "tindak_lanjut", "label": "Tindak lanjut pertama", "days": FIRST_FOLLOWUP_DAYS,
                    "due": fu_due, "state": deadline_state(
                        fu_due, today, done=complaint.first_followup_at is not None, calendar=cal)})
    out.append({"key": "selesai", "label": "Penyelesaian", "days": complaint.norm_days,
                "due": complaint.due_date, "state": deadline_state(
                    complaint.due_date, today, done=complaint.status in (S.SELESAI, S.ARSIP),
                    calendar=cal)})
    return out

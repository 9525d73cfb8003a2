"""Every change to a complaint goes through here: allowed transitions, events, due dates.

Notes (verification, dispatch, postpone, archive, return) are internal: an event's note reaches the
public timeline only with ``note_public=True``, the staff member's explicit choice.

Operations only ``flush()``; the request (or CLI command) commits once at the end.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from portal.complaints import lapor_sync
from portal.complaints.lapor_sync import SyncKind
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
from portal.core.timeutil import wib_date
from portal.core.workdays import WorkCalendar, get_calendar
from portal.extensions import db
from portal.people.models import OPD, User

S = Status

#: status -> statuses it may move to
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.BELUM_TERVERIFIKASI: frozenset({S.BELUM_DITINDAKLANJUTI, S.TUNDA, S.ARSIP, S.DITERUSKAN}),
    S.BELUM_DITINDAKLANJUTI: frozenset({S.PROSES, S.SELESAI, S.TUNDA, S.ARSIP, S.DITERUSKAN}),
    S.PROSES: frozenset({S.SELESAI, S.TUNDA, S.ARSIP}),
    S.TUNDA: frozenset({S.BELUM_TERVERIFIKASI, S.BELUM_DITINDAKLANJUTI, S.PROSES, S.ARSIP, S.DITERUSKAN}),
    S.SELESAI: frozenset({S.PROSES}),
    S.ARSIP: frozenset({S.BELUM_TERVERIFIKASI}),
    # forwarded out by mistake: back to screening (portal/complaints/forwarding.py)
    S.DITERUSKAN: frozenset({S.BELUM_TERVERIFIKASI}),
}

#: verification by the admin, first follow-up by the OPD, closure by silence (working days)
VERIFY_DAYS = 3
FIRST_FOLLOWUP_DAYS = 5
CLOSE_AFTER_SILENCE_DAYS = 10
AT_RISK_DAYS = 2
#: completion norm of an information request (docs/DOMAIN.md §4.4)
INFORMATION_NORM = 5


class TransitionError(ValueError):
    """A status change the rules do not allow."""


class ConflictError(RuntimeError):
    """Somebody else changed the complaint since the form was loaded."""

    def __init__(self, complaint: Complaint):
        super().__init__(f"complaint {complaint.tracking_no} changed (version {complaint.version})")
        self.complaint = complaint


def can_transition(src: Status, dst: Status) -> bool:
    return dst in TRANSITIONS[src]


class VersionMissing(BadRequest):
    """A state change without the version it was rendered from: answered 400, never applied blindly."""

    description = "the complaint's version is required"


def check_version(complaint: Complaint, expected: int | str | None) -> None:
    """Refuse to act on a stale form (optimistic locking at the form level).

    The version is required: without it (or not a number) :class:`VersionMissing` (400); a stale one
    raises :class:`ConflictError` (409). The mapper's ``version_id_col`` catches the race between two
    flushes as well.
    """
    text = str(expected).strip() if expected is not None else ""
    if not text.isdigit():
        raise VersionMissing()
    if int(text) != complaint.version:
        raise ConflictError(complaint)


def record_event(
    complaint: Complaint,
    kind: str,
    actor: User | None,
    *,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
    public: bool = False,
    note_public: bool = False,
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
        note_public=bool(note and note_public),
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


def stage_due(status: Status, submitted_at: dt.datetime, dispatched_at: dt.datetime | None,
              first_followup_at: dt.datetime | None, returned_at: dt.datetime | None,
              due_date: dt.date | None, calendar: WorkCalendar) -> dt.date | None:
    """The deadline of the stage a complaint is in (``None`` when no deadline runs: Tunda, closed).

    - Belum Terverifikasi, or verified but not yet forwarded: verification **and forwarding** within
      3 working days of submission (docs/DOMAIN.md §4.2);
    - returned by an OPD (bukan kewenangan): re-dispatch within 3 working days of the return;
    - dispatched, no follow-up yet: the OPD's first follow-up within 5 working days of dispatch;
    - in progress: completion by ``due_date`` (start + norm).
    Plain values, not a Complaint, so bulk writers (import, demo data, migrations) share it.
    """
    if status == S.BELUM_TERVERIFIKASI:
        return calendar.add_working_days(wib_date(submitted_at), VERIFY_DAYS)
    if status == S.BELUM_DITINDAKLANJUTI:
        if returned_at is not None:
            return calendar.add_working_days(wib_date(returned_at), VERIFY_DAYS)
        if dispatched_at is None:
            return calendar.add_working_days(wib_date(submitted_at), VERIFY_DAYS)
        if first_followup_at is None:
            return calendar.add_working_days(wib_date(dispatched_at), FIRST_FOLLOWUP_DAYS)
        return due_date
    if status == S.PROSES:
        return due_date
    return None


def stage_label(complaint: Complaint) -> str:
    """What the current stage's deadline is for (the queue's Tenggat column), in the UI language."""
    c = complaint
    if c.status == S.BELUM_TERVERIFIKASI or (c.status == S.BELUM_DITINDAKLANJUTI and c.dispatched_at is None
                                              and c.returned_at is None):
        return _("Verifikasi dan penerusan")
    if c.status == S.BELUM_DITINDAKLANJUTI and c.returned_at is not None:
        return _("Disposisi ulang")
    if c.status == S.BELUM_DITINDAKLANJUTI and c.first_followup_at is None:
        return _("Tindak lanjut pertama")
    return _("Penyelesaian")


def compute_stage_due_date(complaint: Complaint, calendar: WorkCalendar | None = None) -> dt.date | None:
    return stage_due(complaint.status, complaint.submitted_at, complaint.dispatched_at,
                     complaint.first_followup_at, complaint.returned_at, complaint.due_date,
                     calendar or get_calendar())


def refresh_due_date(complaint: Complaint, calendar: WorkCalendar | None = None) -> None:
    """Recompute the completion due date and the current stage's deadline."""
    cal = calendar or get_calendar()
    complaint.due_date = compute_due_date(complaint, cal)
    complaint.stage_due_date = compute_stage_due_date(complaint, cal)


def default_norm(type: ComplaintType | None, category: Category | None) -> int:  # noqa: A002
    """Information requests: 5 working days whatever the category (docs/DOMAIN.md §4.4); else the category's."""
    if type == ComplaintType.PERMINTAAN_INFORMASI:
        return INFORMATION_NORM
    return category.effective_norm() if category else DEFAULT_NORM


def _set_status(complaint: Complaint, dst: Status, actor: User | None, *, note: str | None,
                kind: str = "status", changes: dict[str, Any] | None = None,
                at: dt.datetime | None = None, note_public: bool = False) -> ComplaintEvent:
    src = complaint.status
    if not can_transition(src, dst):
        raise TransitionError(_("%(src)s → %(dst)s", src=src.label, dst=dst.label))
    complaint.status = dst
    event = record_event(complaint, kind, actor, from_status=src, to_status=dst, note=note,
                         public=True, changes=changes, at=at, note_public=note_public)
    complaint.stage_due_date = compute_stage_due_date(complaint)
    return event


def verify(complaint: Complaint, actor: User, *, type: ComplaintType | None = None,  # noqa: A002
           category: Category | None = None, norm_days: int | None = None,
           note: str | None = None, opd: OPD | None = None, note_public: bool = False) -> None:
    """Screen, classify and forward a complaint: the admin's one 3-working-day step.

    In LAPOR! verifying and forwarding are one step (docs/DOMAIN.md §4.2), so ``opd`` dispatches in the
    same action (status Belum Ditindaklanjuti); Kominfo answering itself forwards to its own OPD
    (Diskominfo). Without ``opd`` (bulk screening, older data) it stays Belum Terverifikasi,
    verified but not forwarded, and its 3-working-day deadline runs on until it is forwarded.
    An information request gets 5 working days whatever its category; an
    officer choosing another norm for it must give a reason (``note``). The note is internal
    unless ``note_public``; it then rides on the forwarding's public event.
    """
    if complaint.status != S.BELUM_TERVERIFIKASI:
        raise TransitionError(_("%(status)s: sudah diverifikasi", status=complaint.status.label))
    changes: dict[str, Any] = {}
    if type is not None and type != complaint.type:
        changes["type"] = [complaint.type.value, type.value]
        complaint.type = type
    if category is not None and category.id != complaint.category_id:
        changes["category"] = [complaint.category.path if complaint.category else None, category.path]
        complaint.category = category
    if norm_days:
        norm = norm_days
    elif complaint.type == ComplaintType.PERMINTAAN_INFORMASI or category is not None:
        norm = default_norm(complaint.type, category or complaint.category)
    else:
        norm = complaint.norm_days
    if norm not in NORMS:
        raise TransitionError(_("norma %(n)s hari kerja tidak dikenal", n=norm))
    if (complaint.type == ComplaintType.PERMINTAAN_INFORMASI and norm != INFORMATION_NORM
            and not (note or "").strip()):
        raise TransitionError(_("Permintaan informasi bernorma 5 hari kerja; tulis alasan untuk norma "
                                "%(n)s hari kerja.", n=norm))
    if norm != complaint.norm_days:
        changes["norm_days"] = [complaint.norm_days, norm]
        complaint.norm_days = norm
    now = utcnow()
    if complaint.verified_at is None:
        complaint.verified_at = now
        changes["verified_at"] = [None, now.isoformat()]
    complaint.last_activity_at = now
    refresh_due_date(complaint)
    # internal: the public timeline shows the status change of the forwarding, never "verified"
    # under Belum Terverifikasi
    record_event(complaint, "verified", actor, changes=changes, note=note, public=False)
    if opd is not None:
        dispatch(complaint, actor, opd, note=note if note_public else None, note_public=note_public)


def dispatch(complaint: Complaint, actor: User, opd: OPD, *, note: str | None = None,
             note_public: bool = False) -> None:
    """Send (disposisi) a complaint to an OPD; also re-dispatches a returned one."""
    if not opd.active:
        raise TransitionError(_("%(opd)s tidak aktif", opd=opd.name))
    now = utcnow()
    if complaint.status == S.BELUM_TERVERIFIKASI:
        if complaint.verified_at is None:
            complaint.verified_at = now
        _set_status(complaint, S.BELUM_DITINDAKLANJUTI, actor, note=note, kind="dispatched",
                    changes={"opd": [None, opd.code]}, at=now, note_public=note_public)
    elif complaint.status in (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.TUNDA):
        old = complaint.opd.code if complaint.opd else None
        if complaint.status == S.TUNDA:
            _set_status(complaint, S.BELUM_DITINDAKLANJUTI, actor, note=note, kind="dispatched",
                        changes={"opd": [old, opd.code]}, at=now, note_public=note_public)
        else:
            if complaint.opd_id == opd.id and complaint.returned_at is None:
                raise TransitionError(_("sudah didisposisikan ke %(opd)s", opd=opd.name))
            record_event(complaint, "dispatched", actor, changes={"opd": [old, opd.code]},
                         note=note, public=True, at=now, note_public=note_public)
    else:
        raise TransitionError(_("%(status)s: tidak dapat didisposisikan", status=complaint.status.label))
    complaint.opd = opd
    complaint.opd_id = opd.id
    complaint.dispatched_at = now
    complaint.returned_at = None
    complaint.last_activity_at = now
    refresh_due_date(complaint)
    lapor_sync.note(complaint, SyncKind.DISPOSISI, actor, status=complaint.status, opd_id=opd.id, at=now)


def add_followup(complaint: Complaint, actor: User | None, text: str, *,
                 finish: bool = False, at: dt.datetime | None = None,
                 source: str = "portal") -> FollowUp:
    """Post a follow-up (tindak lanjut); moves the complaint to Proses, or Selesai."""
    text = (text or "").strip()
    if not text:
        raise TransitionError(_("tindak lanjut tidak boleh kosong"))
    if complaint.status not in (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.SELESAI):
        raise TransitionError(_("%(status)s: tidak dapat ditindaklanjuti", status=complaint.status.label))
    now = at or utcnow()
    before = complaint.status
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
    if source != "import":
        lapor_sync.note(complaint, SyncKind.TINDAK_LANJUT, actor, followup=fu, at=now,
                        status=complaint.status if complaint.status != before else None)
    return fu


def finish(complaint: Complaint, actor: User | None, *, note: str | None = None,
           kind: str = "status", note_public: bool = False) -> None:
    """Close as Selesai; only a complaint with a follow-up can be finished."""
    if complaint.first_followup_at is None and not complaint.followups:
        raise TransitionError(_("Selesai memerlukan tindak lanjut"))
    _set_status(complaint, S.SELESAI, actor, note=note, kind=kind, note_public=note_public)
    complaint.finished_at = utcnow()
    lapor_sync.note(complaint, SyncKind.SELESAI, actor, status=S.SELESAI, detail=note)
    from portal.complaints.survey import notify_finished

    notify_finished(complaint)  # the closing notice carries the survey code


def postpone(complaint: Complaint, actor: User, reason: str,
             kind: PostponeReason = PostponeReason.LAINNYA, *, note_public: bool = False) -> None:
    """Tunda: e.g. incomplete files, waiting for the reporter; ``kind`` is the structured reason."""
    if not reason.strip():
        raise TransitionError(_("alasan penundaan wajib diisi"))
    _set_status(complaint, S.TUNDA, actor, note=reason.strip(), changes={"postpone_reason": kind.value},
                note_public=note_public)
    complaint.status_reason = reason.strip()
    complaint.postpone_reason = kind
    lapor_sync.note(complaint, SyncKind.TUNDA, actor, status=S.TUNDA, detail=reason.strip())


def archive(complaint: Complaint, actor: User, reason: str,
            duplicate_of: Complaint | None = None, *, note_public: bool = False) -> None:
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
    _set_status(complaint, S.ARSIP, actor, note=reason.strip(), changes=changes, note_public=note_public)
    complaint.status_reason = reason.strip()
    lapor_sync.note(complaint, SyncKind.ARSIP, actor, status=S.ARSIP, detail=reason.strip())


def reopen(complaint: Complaint, actor: User, note: str | None = None, *, note_public: bool = False) -> None:
    """Back to work: Arsip or Diteruskan → Belum Terverifikasi, Selesai → Proses, Tunda → where it was."""
    if complaint.status in (S.ARSIP, S.DITERUSKAN):
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
        raise TransitionError(_("%(status)s: tidak dapat dibuka kembali", status=complaint.status.label))
    _set_status(complaint, dst, actor, note=note, kind="reopened", note_public=note_public)
    complaint.finished_at = None
    complaint.forwarded_to_id = None
    complaint.forwarded_at = None
    complaint.duplicate_of_id = None
    complaint.status_reason = None
    lapor_sync.note(complaint, SyncKind.DIBUKA_KEMBALI, actor, status=dst, opd_id=complaint.opd_id, detail=note)


def return_to_admin(complaint: Complaint, actor: User, reason: str) -> None:
    """Bukan kewenangan: the OPD hands it back to Kominfo for re-dispatch, history kept."""
    if not reason.strip():
        raise TransitionError(_("alasan pengembalian wajib diisi"))
    if complaint.status not in (S.BELUM_DITINDAKLANJUTI, S.PROSES) or complaint.opd_id is None:
        raise TransitionError(_("%(status)s: tidak dapat dikembalikan", status=complaint.status.label))
    old = complaint.opd.code if complaint.opd else None
    src = complaint.status
    complaint.status = S.BELUM_DITINDAKLANJUTI
    complaint.returned_at = utcnow()
    complaint.status_reason = reason.strip()
    complaint.opd = None
    complaint.opd_id = None
    complaint.stage_due_date = compute_stage_due_date(complaint)
    record_event(complaint, "returned", actor, from_status=src, to_status=complaint.status,
                 changes={"opd": [old, None]}, note=reason.strip(), public=True)
    lapor_sync.note(complaint, SyncKind.DIKEMBALIKAN, actor, status=complaint.status, detail=reason.strip())


def deadline_state(due: dt.date | None, today: dt.date, *, done: bool = False,
                   calendar: WorkCalendar | None = None, done_on: dt.date | None = None) -> str:
    """``met``, ``missed`` (done after the due day), ``on_time``, ``at_risk`` (due within 2 working
    days) or ``overdue``; ``done_on`` (the WIB day it was done) decides met or missed."""
    if due is None:
        return "none"
    if done or done_on is not None:
        return "missed" if done_on is not None and done_on > due else "met"
    if today > due:
        return "overdue"
    cal = calendar or get_calendar()
    return "at_risk" if cal.working_days_between(today, due) <= AT_RISK_DAYS else "on_time"


def _day(instant: dt.datetime | None) -> dt.date | None:
    return wib_date(instant) if instant is not None else None


def deadlines(complaint: Complaint, today: dt.date, calendar: WorkCalendar | None = None) -> list[dict]:
    """The three stage deadlines of a complaint with their state (met / missed / open).

    Verification is done when the complaint is forwarded (verified *and* dispatched); a complaint
    closed or postponed without being forwarded has no verification state left to run.
    """
    cal = calendar or get_calendar()
    c = complaint
    closed = c.status in (S.SELESAI, S.ARSIP, S.TUNDA, S.DITERUSKAN)
    out = []
    verify_due = cal.add_working_days(wib_date(c.submitted_at), VERIFY_DAYS)
    v_done = _day(c.dispatched_at) or (_day(c.verified_at) if closed else None)
    state = deadline_state(verify_due, today, calendar=cal, done_on=v_done)
    if v_done is None and closed:
        state = "none"
    out.append({"key": "verifikasi", "label": "Verifikasi dan penerusan", "days": VERIFY_DAYS,
                "due": verify_due, "done": v_done, "state": state})
    if c.dispatched_at:
        fu_due = cal.add_working_days(wib_date(c.dispatched_at), FIRST_FOLLOWUP_DAYS)
        fu_done = _day(c.first_followup_at)
        state = deadline_state(fu_due, today, calendar=cal, done_on=fu_done)
        if fu_done is None and closed:
            state = "none"
        out.append({"key": "tindak_lanjut", "label": "Tindak lanjut pertama", "days": FIRST_FOLLOWUP_DAYS,
                    "due": fu_due, "done": fu_done, "state": state})
    fin_done = _day(c.finished_at) if c.status == S.SELESAI else None
    state = deadline_state(c.due_date, today, calendar=cal, done_on=fin_done)
    if fin_done is None and closed:
        state = "none"
    out.append({"key": "selesai", "label": "Penyelesaian", "days": c.norm_days,
                "due": c.due_date, "done": fin_done, "state": state})
    return out


#: what a queue action may change (verify, dispatch, postpone, archive), restored by :func:`undo`
UNDO_FIELDS = ("status", "opd_id", "type", "category_id", "norm_days", "verified_at", "dispatched_at",
               "returned_at", "finished_at", "status_reason", "postpone_reason", "duplicate_of_id",
               "last_activity_at")


def snapshot(complaint: Complaint) -> dict[str, Any]:
    """The fields an action may change, as JSON values (kept by a bulk change for its undo)."""
    out: dict[str, Any] = {}
    for name in UNDO_FIELDS:
        value = getattr(complaint, name)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        out[name] = value
    return out


def undo(complaint: Complaint, actor: User, before: dict[str, Any], *, note: str | None = None) -> None:
    """Put a complaint back as :func:`snapshot` found it (undo of a bulk action), recording the change.

    The caller has checked that nothing else changed the complaint since (its version).
    """
    src = complaint.status
    old_opd = complaint.opd.code if complaint.opd else None
    kinds = {"status": Status, "type": ComplaintType, "postpone_reason": PostponeReason}
    for name in UNDO_FIELDS:
        value = before.get(name)
        if value is not None and name in kinds:
            value = kinds[name](value)
        elif value is not None and name.endswith("_at"):
            value = dt.datetime.fromisoformat(value)
        setattr(complaint, name, value)
    opd = db.session.get(OPD, complaint.opd_id) if complaint.opd_id else None
    complaint.opd = opd
    if complaint.duplicate_of_id is None:
        complaint.duplicate_of = None
    refresh_due_date(complaint)
    changes: dict[str, Any] = {}
    if (opd.code if opd else None) != old_opd:
        changes["opd"] = [old_opd, opd.code if opd else None]
    record_event(complaint, "status", actor, from_status=src, to_status=complaint.status, public=True,
                 changes=changes, note=note)
    # the undone action's LAPOR! work is void; the state before it is what LAPOR! had (or still lacks)
    lapor_sync.supersede(complaint, kinds=lapor_sync.STATUS_KINDS)

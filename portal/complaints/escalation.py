"""Escalation of complaints past their stage deadline, and the oversight list (docs/ESCALATION.md, docs/DOMAIN.md §4.6).

The ladder (configurable at ``/admin/pengaturan/eskalasi``) counts **working days past the current
stage's deadline** (``Complaint.stage_due_date``; ``age = working_days_between(deadline, today)``):

1. ``escalation_liaison`` (default 0: as soon as it is overdue) — a reminder to the OPD's liaison(s)
   whose term covers that day;
2. ``escalation_head`` (default +2) — a notice to the head of the OPD (:class:`OPDHead`);
3. ``escalation_leadership`` (default +5) — listed for Diskominfo's leadership
   (``/admin/pengawasan/pimpinan``).

Each step is one internal complaint event (actor ``None`` = the system) whose note is the stage
deadline it belongs to, so a step happens once per complaint and stage deadline however often the
daily job runs; a new stage (dispatch, first follow-up, a return and re-dispatch) has a new deadline and
starts the ladder again. The ladder runs for complaints dispatched to an OPD (Belum Ditindaklanjuti
with an OPD, Proses): the verification stage is Kominfo's own and shows in the queue's Terlambat tab and
on the oversight list. Mail is grouped: one message per recipient and day listing that day's complaints.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import orm

from portal.complaints.models import Complaint, ComplaintEvent, Status
from portal.core.db import UTCDateTime, utcnow
from portal.core.models import Setting
from portal.core.workdays import WorkCalendar, get_calendar
from portal.extensions import db
from portal.people.liaisons import current_liaisons
from portal.people.models import OPD

S = Status
#: statuses whose stage deadline runs (Tunda stops the clock; closed ones have none)
RUNNING = (S.BELUM_TERVERIFIKASI, S.BELUM_DITINDAKLANJUTI, S.PROSES)
BATCH = 500


class OPDHead(db.Model):
    """The head of an OPD (kepala OPD) as the escalation ladder's second step writes to them."""

    __tablename__ = "opd_head"

    #: one contact per OPD
    opd_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("opd.id", ondelete="CASCADE"), primary_key=True)
    #: e.g. ``Ir. Budi Santoso, M.T.``
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(254), nullable=False)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow,
                                                            onupdate=utcnow)

    opd: orm.Mapped[OPD] = orm.relationship()

    def __repr__(self) -> str:
        return f"<OPDHead opd={self.opd_id}>"


# --- the ladder ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    key: str  #: the event kind
    setting: str  #: the Setting key holding its offset
    default: int  #: working days past the deadline
    label: LazyString  #: Indonesian msgid, translated when shown


STEPS = (
    Step("escalation_liaison", "ESCALATION_LIAISON_DAYS", 0, _l("Pengingat ke pejabat penghubung")),
    Step("escalation_head", "ESCALATION_HEAD_DAYS", 2, _l("Pemberitahuan ke kepala OPD")),
    Step("escalation_leadership", "ESCALATION_LEADERSHIP_DAYS", 5, _l("Dicantumkan untuk pimpinan Diskominfo")),
)
STEP_KINDS = tuple(s.key for s in STEPS)
STEP_LABELS = {s.key: s.label for s in STEPS}
LAST_STEP = STEPS[-1].key
MAX_OFFSET = 60


def ladder() -> dict[str, int]:
    """``{step kind: working days past the deadline}`` from the settings (defaults where unset)."""
    rows = dict(db.session.execute(
        sa.select(Setting.key, Setting.value).where(Setting.key.in_([s.setting for s in STEPS]))).tuples().all())
    out = {}
    for step in STEPS:
        try:
            out[step.key] = max(0, min(int(rows.get(step.setting, step.default)), MAX_OFFSET))
        except (TypeError, ValueError):
            out[step.key] = step.default
    return out


def ladder_problem(offsets: dict[str, int]) -> str | None:
    """Why a ladder is refused (``None`` when fine): every step at least as late as the one before."""
    values = [offsets[s.key] for s in STEPS]
    if any(v < 0 or v > MAX_OFFSET for v in values):
        return "range"
    if any(b < a for a, b in itertools.pairwise(values)):
        return "order"
    return None


def save_ladder(offsets: dict[str, int]) -> dict[str, list[Any]]:
    """Store the ladder (flushed); returns what changed ``{setting: [old, new]}``."""
    current = ladder()
    changes = {}
    for step in STEPS:
        new = offsets[step.key]
        if new == current[step.key]:
            continue
        row = db.session.get(Setting, step.setting)
        if row is None:
            db.session.add(Setting(key=step.setting, value=str(new)))
        else:
            row.value = str(new)
        changes[step.setting] = [current[step.key], new]
    db.session.flush()
    return changes


def age(due: dt.date, today: dt.date, calendar: WorkCalendar | None = None) -> int:
    """Working days past ``due`` by ``today`` (0 on the first days after it when they are not working days)."""
    if today <= due:
        return 0
    return (calendar or get_calendar()).working_days_between(due, today)


# --- recipients ----------------------------------------------------------------------------------

def liaison_addresses(opd: OPD, day: dt.date) -> list[str]:
    """The liaisons of ``day``; a unit without one falls back to its agency's, then to the OPD e-mail."""
    node: OPD | None = opd
    while node is not None:
        emails = [u.email for u in current_liaisons(node.id, on=day)]
        if emails:
            return emails
        node = node.parent
    return [opd.email] if opd.email else []


def head_of(opd: OPD) -> OPDHead | None:
    """The OPD's head contact; a unit without one: its agency's."""
    node: OPD | None = opd
    while node is not None:
        head = db.session.get(OPDHead, node.id)
        if head is not None:
            return head
        node = node.parent
    return None


# --- the daily run -------------------------------------------------------------------------------

@dataclass
class EscalationResult:
    #: events recorded per step kind
    steps: dict[str, int]
    mails: int = 0


def _cutoff(today: dt.date, offset: int, cal: WorkCalendar) -> dt.date:
    """The latest deadline that is at least ``offset`` working days past (and past at all) by ``today``."""
    day = today - dt.timedelta(days=1)
    while cal.working_days_between(day, today) < offset:
        day -= dt.timedelta(days=1)
    return day


def escalate(today: dt.date, *, notify: bool = True) -> EscalationResult:
    """Record each step a complaint has reached today and not yet had for its deadline; queue the mail.

    Flushes, never commits (the daily job commits once). Idempotent: a second run on the same day
    records and queues nothing new.
    """
    cal = get_calendar()
    offsets = ladder()
    result = EscalationResult(steps=dict.fromkeys(STEP_KINDS, 0))
    c = Complaint
    cutoff = _cutoff(today, min(offsets.values()), cal)
    due_key = sa.cast(c.stage_due_date, sa.String)
    now = utcnow()
    #: (step, opd id) -> complaints reaching it today
    reached: dict[tuple[str, int], list[tuple[Complaint, int]]] = defaultdict(list)
    last_id = 0
    ages: dict[dt.date, int] = {}
    while True:
        rows = db.session.scalars(
            sa.select(c).where(c.status.in_((S.BELUM_DITINDAKLANJUTI, S.PROSES)), c.opd_id.is_not(None),
                               c.stage_due_date <= cutoff, c.id > last_id,
                               ~step_reached_clause(LAST_STEP))  # the whole ladder done: nothing to read
            .options(orm.selectinload(c.reporter), orm.joinedload(c.opd))
            .order_by(c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        ids = [r.id for r in rows]
        done = set(db.session.execute(
            sa.select(ComplaintEvent.complaint_id, ComplaintEvent.kind)
            .join(c, c.id == ComplaintEvent.complaint_id)
            .where(ComplaintEvent.complaint_id.in_(ids), ComplaintEvent.kind.in_(STEP_KINDS),
                   ComplaintEvent.note == due_key)).tuples().all())
        new_events = []
        for complaint in rows:
            if complaint.stage_due_date not in ages:  # many complaints share a deadline
                ages[complaint.stage_due_date] = age(complaint.stage_due_date, today, cal)
            late = ages[complaint.stage_due_date]
            due = complaint.stage_due_date.isoformat()
            for step in STEPS:
                if late < offsets[step.key] or (complaint.id, step.key) in done:
                    continue
                # plain rows, not ORM objects: the complaint is not touched (no version bump for its editors)
                new_events.append({
                    "complaint_id": complaint.id, "at": now, "kind": step.key, "actor_id": None,
                    "from_status": None, "to_status": None, "note": due, "is_public": False,
                    "note_public": False,
                    "changes": {"step": [None, step.key], "stage_due_date": [None, due],
                                "working_days_late": [None, late]}})
                result.steps[step.key] += 1
                reached[(step.key, complaint.opd_id)].append((complaint, late))
        if new_events:
            db.session.execute(sa.insert(ComplaintEvent), new_events)
    if notify:
        result.mails = _queue_mail(reached, today)
    return result


def _queue_mail(reached: dict[tuple[str, int], list[tuple[Complaint, int]]], today: dt.date) -> int:
    """One message per step, OPD and recipient for the day: liaisons (step 1), the head of the OPD (step 2)."""
    from portal.core.i18n import tanggal
    from portal.core.mail import queue_email
    from portal.notifications.service import already_queued, base_url, public_title, render_email

    base = base_url()
    queued = 0
    for (kind, _opd_id), items in reached.items():
        if kind == LAST_STEP:
            continue
        opd = items[0][0].opd
        if kind == "escalation_liaison":
            recipients: list[tuple[str, str | None]] = [(to, None) for to in liaison_addresses(opd, today)]
        else:
            head = head_of(opd)
            recipients = [(head.email, head.name)] if head else []
        subject = (f"[LAPOR] {'Pengingat' if kind == 'escalation_liaison' else 'Pemberitahuan'} laporan "
                   f"melewati tenggat {today.isoformat()} — {opd.code}")
        for to, name in recipients:
            if already_queued(kind, to, subject):
                continue
            body = render_email("emails/escalation.txt", kind=kind, opd=opd, head_name=name, day=tanggal(today),
                                items=sorted(items, key=lambda i: (-i[1], i[0].tracking_no)),
                                title_of=public_title, tanggal=tanggal, base_url=base)
            queue_email(to, subject, body, kind=kind)
            queued += 1
    return queued


# --- the oversight list --------------------------------------------------------------------------

STAGE_LABELS = {
    "verifikasi": _l("Verifikasi dan penerusan"),
    "disposisi_ulang": _l("Disposisi ulang"),
    "tindak_lanjut": _l("Tindak lanjut pertama"),
    "penyelesaian": _l("Penyelesaian"),
}


def stage_key(c: Complaint) -> str:
    """The current stage, in the order of :func:`portal.complaints.operations.stage_label`."""
    if c.status == S.BELUM_TERVERIFIKASI or (c.status == S.BELUM_DITINDAKLANJUTI and c.dispatched_at is None
                                              and c.returned_at is None):
        return "verifikasi"
    if c.status == S.BELUM_DITINDAKLANJUTI and c.returned_at is not None:
        return "disposisi_ulang"
    if c.status == S.BELUM_DITINDAKLANJUTI and c.first_followup_at is None:
        return "tindak_lanjut"
    return "penyelesaian"


def _stage_clause(key: str):
    c = Complaint
    bd = c.status == S.BELUM_DITINDAKLANJUTI
    return {
        "verifikasi": sa.or_(c.status == S.BELUM_TERVERIFIKASI,
                             sa.and_(bd, c.dispatched_at.is_(None), c.returned_at.is_(None))),
        "disposisi_ulang": sa.and_(bd, c.returned_at.is_not(None)),
        "tindak_lanjut": sa.and_(bd, c.returned_at.is_(None), c.dispatched_at.is_not(None),
                                 c.first_followup_at.is_(None)),
        "penyelesaian": sa.or_(c.status == S.PROSES,
                               sa.and_(bd, c.returned_at.is_(None), c.dispatched_at.is_not(None),
                                       c.first_followup_at.is_not(None))),
    }[key]


def step_reached_clause(kind: str):
    """The complaint has had step ``kind`` for its current stage deadline."""
    e = ComplaintEvent
    return (sa.select(e.id).where(e.complaint_id == Complaint.id, e.kind == kind,
                                  e.note == sa.cast(Complaint.stage_due_date, sa.String)).exists())


@dataclass(frozen=True)
class OverdueFilter:
    opd_ids: list[int] | None = None  #: None: every OPD (and none)
    stage: str | None = None
    step: str | None = None


def overdue_query(today: dt.date, f: OverdueFilter):
    """Running complaints past their stage deadline, the longest overdue first."""
    c = Complaint
    q = sa.select(c).where(c.status.in_(RUNNING), c.stage_due_date < today)
    if f.opd_ids is not None:
        q = q.where(c.opd_id.in_(f.opd_ids or [-1]))
    if f.stage in STAGE_LABELS:
        q = q.where(_stage_clause(f.stage))
    if f.step in STEP_KINDS:
        q = q.where(step_reached_clause(f.step))
    return q.order_by(c.stage_due_date, c.id)


def steps_of(complaints: list[Complaint]) -> dict[int, str]:
    """``{complaint id: the highest step it has had for its current stage deadline}``."""
    if not complaints:
        return {}
    due = {x.id: x.stage_due_date.isoformat() for x in complaints if x.stage_due_date}
    order = {k: i for i, k in enumerate(STEP_KINDS)}
    out: dict[int, str] = {}
    for cid, kind, note in db.session.execute(
            sa.select(ComplaintEvent.complaint_id, ComplaintEvent.kind, ComplaintEvent.note)
            .where(ComplaintEvent.complaint_id.in_(list(due)), ComplaintEvent.kind.in_(STEP_KINDS))).tuples():
        if note == due.get(cid) and order[kind] >= order.get(out.get(cid, ""), -1):
            out[cid] = kind
    return out

"""Who gets which e-mail, composed from ``templates/emails/*.txt`` and queued in the outbox."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.complaints.models import Complaint, Reporter, Status
from portal.complaints.redaction import redact, redactor_for
from portal.core.i18n import tanggal
from portal.core.mail import queue_email
from portal.core.models import OutboxMessage
from portal.core.timeutil import date_start_utc, today_wib
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.people.liaisons import current_liaisons
from portal.people.models import OPD, Role, User

S = Status
DIGEST_LIST_LIMIT = 50
FIRST_FOLLOWUP_DAYS = 5
REMIND_COMPLETION_DAYS = 2


def render_email(name: str, **context: Any) -> str:
    """A text e-mail from ``templates/<name>``; works outside a request (the daily job, CLI)."""
    return current_app.jinja_env.get_template(name).render(**context)


def base_url() -> str:
    from portal.core.urls import public_base_url

    return public_base_url()


def liaison_emails(opd: OPD, today: dt.date | None = None) -> list[str]:
    """The liaisons' addresses; a unit without one falls back to its agency's, then to the OPD e-mail."""
    node: OPD | None = opd
    while node is not None:
        emails = [u.email for u in current_liaisons(node.id, today)]
        if emails:
            return emails
        node = node.parent
    return [opd.email] if opd.email else []


def already_queued(kind: str, to: str, subject: str) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.to_addr == to, OutboxMessage.subject == subject)
    ) > 0


def public_title(c: Any) -> str:
    """A title fit for an e-mail: none for a confidential complaint, and never the reporter or any PII
    (anonymous complaints are anonymous to the OPD too; mail is not the place for personal data)."""
    if c.is_confidential:
        return "(laporan rahasia)"
    if isinstance(c, Complaint):
        title = redactor_for(c)(c.title)
    else:  # a row of _due_rows
        title = redact(c.title, names=[c.rep_name], values=[c.rep_nik, c.rep_phone, c.rep_email])
    return title or "(tanpa judul)"


def notify_dispatch(complaint: Complaint) -> int:
    """E-mail the OPD's current liaisons about a (re-)dispatched complaint; returns messages queued."""
    if complaint.opd is None:
        return 0
    subject = f"[LAPOR] Disposisi laporan #{complaint.tracking_no}"
    body = render_email("emails/dispatch.txt", c=complaint, title=public_title(complaint),
                           base_url=base_url(), tanggal=tanggal)
    n = 0
    for to in liaison_emails(complaint.opd):
        queue_email(to, subject, body, kind="dispatch")
        n += 1
    return n


def notify_postpone(complaint: Complaint, reason: str) -> int:
    """Tell the reporter (by e-mail when they gave one) why their complaint is postponed."""
    email = complaint.reporter.email if complaint.reporter else None
    if not email:
        return 0
    body = render_email("emails/postpone.txt", c=complaint, reason=reason, base_url=base_url())
    queue_email(email, f"[LAPOR] Laporan #{complaint.tracking_no} ditunda", body, kind="postpone")
    return 1


def _due_rows(today: dt.date, cutoff: dt.date) -> list[Any]:
    """Active complaints whose current stage's deadline is at most ``cutoff`` (``due_date`` labelled so)."""
    c = Complaint
    return list(db.session.execute(
        sa.select(c.id, c.tracking_no, c.title, c.is_confidential, c.opd_id, c.stage_due_date.label("due_date"),
                  c.status,
                  Reporter.name.label("rep_name"), Reporter.nik.label("rep_nik"),
                  Reporter.phone.label("rep_phone"), Reporter.email.label("rep_email"))
        .outerjoin(Reporter, Reporter.complaint_id == c.id)
        .where(c.status.in_(S.ACTIVE), c.stage_due_date <= cutoff)
        .order_by(c.stage_due_date, c.id)
    ))


def queue_digests(today: dt.date | None = None) -> int:
    """The daily digest of at-risk and overdue complaints, per OPD and for Kominfo (once a day)."""
    today = today or today_wib()
    cutoff = get_calendar().add_working_days(today, 2)
    rows = _due_rows(today, cutoff)
    by_opd: dict[int | None, list[Any]] = defaultdict(list)
    for r in rows:
        by_opd[r.opd_id].append(r)
    opds = {o.id: o for o in db.session.scalars(sa.select(OPD).where(OPD.id.in_([k for k in by_opd if k])))}
    base = base_url()
    queued = 0
    day = tanggal(today)
    summary = []
    for opd_id, items in by_opd.items():
        overdue = [r for r in items if r.due_date < today]
        at_risk = [r for r in items if r.due_date >= today]
        if opd_id is None:
            summary.append(("(belum didisposisikan)", len(at_risk), len(overdue)))
            continue
        opd = opds[opd_id]
        summary.append((f"{opd.code} — {opd.name}", len(at_risk), len(overdue)))
        subject = f"[LAPOR] Ringkasan harian {today.isoformat()} — {opd.code}"
        body = render_email("emails/digest.txt", scope=opd.name, day=day, overdue=overdue[:DIGEST_LIST_LIMIT],
                               at_risk=at_risk[:DIGEST_LIST_LIMIT], n_overdue=len(overdue),
                               n_at_risk=len(at_risk), base_url=base, link=f"{base}/admin/opd",
                               title_of=public_title, tanggal=tanggal)
        recipients = dict.fromkeys([*liaison_emails(opd, today), *([opd.email] if opd.email else [])])
        for to in recipients:
            if not already_queued("digest", to, subject):
                queue_email(to, subject, body, kind="digest")
                queued += 1
    # Kominfo: the province-wide picture, and verifications overdue (3 working days)
    late_verif = _late_verifications(today)
    summary.sort(key=lambda s: (-s[2], -s[1], s[0]))
    subject = f"[LAPOR] Ringkasan harian {today.isoformat()} — Provinsi"
    body = render_email("emails/digest_kominfo.txt", day=day, summary=summary, late_verif=late_verif,
                           n_overdue=sum(s[2] for s in summary), n_at_risk=sum(s[1] for s in summary),
                           base_url=base)
    for user in db.session.scalars(sa.select(User).where(User.role == Role.KOMINFO, User.active.is_(True))):
        if not already_queued("digest", user.email, subject):
            queue_email(user.email, subject, body, kind="digest")
            queued += 1
    return queued


def _late_verifications(today: dt.date) -> int:
    """Complaints still unverified after 3 working days."""
    cal = get_calendar()
    day = today
    while cal.add_working_days(day, 3) >= today:  # the latest submission date already late
        day -= dt.timedelta(days=1)
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Complaint)
        .where(Complaint.status == S.BELUM_TERVERIFIKASI,
               Complaint.submitted_at < date_start_utc(day + dt.timedelta(days=1)))
    ) or 0


def _dates_with(target: dt.date, days: int, span: int = 30) -> list[dt.date]:
    """Every date d with ``add_working_days(d, days) == target``."""
    cal = get_calendar()
    return [d for d in (target - dt.timedelta(days=i) for i in range(1, span))
            if cal.add_working_days(d, days) == target]


def queue_reminders(today: dt.date | None = None) -> int:
    """Remind liaisons two working days before completion and one before the first follow-up is due."""
    today = today or today_wib()
    cal = get_calendar()
    c = Complaint
    base = base_url()
    queued = 0
    completion_day = cal.add_working_days(today, REMIND_COMPLETION_DAYS)
    rows = db.session.scalars(
        sa.select(c).where(c.status.in_((S.BELUM_DITINDAKLANJUTI, S.PROSES)), c.opd_id.is_not(None),
                           sa.or_(c.status == S.PROSES, c.first_followup_at.is_not(None)),
                           c.stage_due_date == completion_day)
    ).all()
    items = [(row, "penyelesaian", completion_day) for row in rows]
    fu_day = cal.add_working_days(today, 1)
    starts = _dates_with(fu_day, FIRST_FOLLOWUP_DAYS)
    if starts:
        rows = db.session.scalars(
            sa.select(c).where(c.status == S.BELUM_DITINDAKLANJUTI, c.opd_id.is_not(None),
                               c.first_followup_at.is_(None),
                               c.dispatched_at >= date_start_utc(min(starts)),
                               c.dispatched_at < date_start_utc(max(starts) + dt.timedelta(days=1)))
        ).all()
        items += [(row, "tindak lanjut pertama", fu_day) for row in rows]
    for complaint, what, due in items:
        subject = f"[LAPOR] Pengingat tenggat {what} #{complaint.tracking_no} ({due.isoformat()})"
        body = render_email("emails/reminder.txt", c=complaint, what=what, due=tanggal(due),
                               title=public_title(complaint), base_url=base)
        for to in liaison_emails(complaint.opd, today):
            if not already_queued("reminder", to, subject):
                queue_email(to, subject, body, kind="reminder")
                queued += 1
    return queued

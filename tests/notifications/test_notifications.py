"""Notifications through the outbox to a real local SMTP server; retries when SMTP is down."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.core.db import utcnow
from portal.core.mail import send_pending
from portal.core.models import OutboxMessage
from portal.core.timeutil import today_wib
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.notifications import liaison_emails, notify_dispatch, queue_digests, queue_reminders
from portal.people.models import Liaison
from tests.notifications.conftest import free_port


def _opd_with_liaisons(make):
    opd = make.opd("DPUPR", "Dinas PUPR", email="pupr@uji.go.id")
    current = make.user("opd", opd=opd, email="baru@uji.go.id")
    old = make.user("opd", opd=opd, email="lama@uji.go.id")
    db.session.add_all([
        Liaison(opd=opd, user=current, valid_from=dt.date(2025, 1, 1)),
        Liaison(opd=opd, user=old, valid_from=dt.date(2023, 1, 1), valid_to=dt.date(2024, 12, 31)),
    ])
    db.session.flush()
    return opd


def test_dispatch_mail_reaches_current_liaisons_over_smtp(make, smtp_server):
    opd = _opd_with_liaisons(make)
    kominfo = make.user("kominfo")
    c = make.complaint(tracking_no="8000001", title="Jalan berlubang", reporter={"name": "Budi Rahasia", "nik": "3601234567890123"})
    ops.dispatch(c, kominfo, opd)
    assert notify_dispatch(c) == 1
    db.session.commit()
    assert send_pending() == {"sent": 1, "failed": 0}
    [msg] = smtp_server.to("baru@uji.go.id")
    assert smtp_server.to("lama@uji.go.id") == []
    assert msg["Subject"] == "[LAPOR] Disposisi laporan #8000001"
    body = msg.get_content()
    assert "Jalan berlubang" in body and "Budi" not in body and "3601234567890123" not in body
    row = db.session.scalars(sa.select(OutboxMessage)).one()
    assert row.status == "sent" and row.attempts == 1


def test_confidential_title_not_mailed(make, smtp_server):
    opd = _opd_with_liaisons(make)
    c = make.complaint(tracking_no="8000002", title="Judul rahasia sekali", is_confidential=True)
    ops.dispatch(c, make.user("kominfo"), opd)
    notify_dispatch(c)
    db.session.commit()
    send_pending()
    [msg] = smtp_server.to("baru@uji.go.id")
    assert "Judul rahasia sekali" not in msg.get_content()


def test_unit_without_liaison_falls_back_to_agency_then_email(make):
    opd = _opd_with_liaisons(make)
    unit = make.opd("UPTPJU", "UPT PJU", parent=opd)
    lone = make.opd("LONE", "Dinas Sepi", email="sepi@uji.go.id")
    assert liaison_emails(unit) == ["baru@uji.go.id"]
    assert liaison_emails(lone) == ["sepi@uji.go.id"]


def test_outbox_retry_when_smtp_is_down(make, app, smtp_server):
    opd = _opd_with_liaisons(make)
    c = make.complaint(tracking_no="8000003")
    ops.dispatch(c, make.user("kominfo"), opd)
    notify_dispatch(c)
    db.session.commit()
    good_port = smtp_server.port
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: connection refused
    assert send_pending() == {"sent": 0, "failed": 1}
    msg = db.session.scalars(sa.select(OutboxMessage)).one()
    assert msg.status == "pending" and msg.attempts == 1 and msg.last_error
    assert msg.next_attempt_at > utcnow()
    assert smtp_server.messages == []
    # not due yet: nothing is tried
    app.config["MAIL_PORT"] = good_port
    assert send_pending() == {"sent": 0, "failed": 0}
    # later (back-off elapsed) the message goes
    msg.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert send_pending() == {"sent": 1, "failed": 0}
    db.session.refresh(msg)
    assert msg.status == "sent" and msg.attempts == 2
    assert len(smtp_server.to("baru@uji.go.id")) == 1


def test_digest_per_opd_and_kominfo_is_idempotent(make, smtp_server):
    opd = _opd_with_liaisons(make)
    make.user("kominfo", email="admin@uji.go.id")
    today = today_wib()
    cal = get_calendar()
    late = make.complaint(tracking_no="8000004", status="proses", opd=opd, title="Terlambat")
    risky = make.complaint(tracking_no="8000005", status="belum_ditindaklanjuti", opd=opd, title="Rawan")
    make.complaint(tracking_no="8000006", status="selesai", opd=opd)
    # the digest reads the current stage's deadline
    late.due_date = late.stage_due_date = today - dt.timedelta(days=2)
    risky.stage_due_date = cal.add_working_days(today, 1)
    db.session.flush()
    n = queue_digests(today)
    assert n == 3  # liaison + OPD e-mail + one Kominfo user
    assert queue_digests(today) == 0
    db.session.commit()
    send_pending()
    [digest] = smtp_server.to("baru@uji.go.id")
    body = digest.get_content()
    assert "#8000004" in body and "#8000005" in body and "8000006" not in body
    assert "Terlambat (melewati tenggat): 1" in body
    [prov] = smtp_server.to("admin@uji.go.id")
    assert "DPUPR" in prov.get_content()
    assert len(smtp_server.to("pupr@uji.go.id")) == 1


def test_reminders_before_deadlines(make):
    opd = _opd_with_liaisons(make)
    today = today_wib()
    cal = get_calendar()
    c = make.complaint(tracking_no="8000007", status="proses", opd=opd)
    c.due_date = c.stage_due_date = cal.add_working_days(today, 2)
    # dispatched so that the first follow-up is due on the next working day
    d = make.complaint(tracking_no="8000008", status="belum_ditindaklanjuti", opd=opd)
    target = cal.add_working_days(today, 1)
    start = next(day for day in (target - dt.timedelta(days=i) for i in range(1, 20))
                 if cal.add_working_days(day, 5) == target)
    d.dispatched_at = dt.datetime.combine(start, dt.time(3, 0), tzinfo=dt.UTC)
    d.due_date = today + dt.timedelta(days=40)
    db.session.flush()
    assert queue_reminders(today) == 2
    assert queue_reminders(today) == 0
    subjects = sorted(m.subject for m in db.session.scalars(sa.select(OutboxMessage)))
    assert any("penyelesaian #8000007" in s for s in subjects)
    assert any("tindak lanjut pertama #8000008" in s for s in subjects)

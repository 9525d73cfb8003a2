"""The daily job: closure by the 10-working-day rule, overdue marks, digests; idempotent."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.complaints.daily import run_daily, silence_cutoff
from portal.complaints.models import Complaint, ComplaintEvent, Status
from portal.core.models import OutboxMessage
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.people.models import Liaison

TODAY = dt.date(2025, 3, 14)  # a Friday
S = Status


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)  # 10:00 WIB


def _setup(make):
    cal = get_calendar()
    opd = make.opd("DPUPR", email="pupr@uji.go.id")
    liaison = make.user("opd", opd=opd, email="penghubung@uji.go.id")
    db.session.add(Liaison(opd=opd, user=liaison, valid_from=dt.date(2024, 1, 1)))
    make.user("kominfo", email="admin@uji.go.id")
    ten_back = next(d for d in (TODAY - dt.timedelta(days=i) for i in range(1, 30))
                    if cal.add_working_days(d, 10) == TODAY)
    silent = make.complaint(tracking_no="9000001", status="proses", opd=opd, submitted_at=at(ten_back - dt.timedelta(days=5)),
                            first_followup_at=at(ten_back), last_activity_at=at(ten_back))
    recent = make.complaint(tracking_no="9000002", status="proses", opd=opd, submitted_at=at(ten_back - dt.timedelta(days=5)),
                            first_followup_at=at(ten_back), last_activity_at=at(ten_back + dt.timedelta(days=1)))
    no_fu = make.complaint(tracking_no="9000003", status="proses", opd=opd, submitted_at=at(ten_back - dt.timedelta(days=30)),
                           last_activity_at=at(ten_back - dt.timedelta(days=20)))
    late = make.complaint(tracking_no="9000004", status="belum_ditindaklanjuti", opd=opd,
                          submitted_at=at(TODAY - dt.timedelta(days=60)))
    late.due_date = TODAY - dt.timedelta(days=3)
    paused = make.complaint(tracking_no="9000005", status="tunda", opd=opd, submitted_at=at(TODAY - dt.timedelta(days=60)))
    paused.due_date = TODAY - dt.timedelta(days=3)
    db.session.flush()
    return silent, recent, no_fu, late, paused


def _events(kind):
    return db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.kind == kind)).all()


def test_silence_cutoff_counts_working_days(app):
    cut = silence_cutoff(TODAY)
    cal = get_calendar()
    assert cal.add_working_days(cut, 10) <= TODAY
    assert cal.add_working_days(cut + dt.timedelta(days=1), 10) > TODAY


def test_daily_closes_marks_and_notifies_once(make):
    _silent, _recent, _no_fu, late, paused = _setup(make)
    result = run_daily(TODAY)
    db.session.commit()
    assert result.finished == ["9000001"]
    db.session.expire_all()
    get = lambda no: db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == no))  # noqa: E731
    assert get("9000001").status == S.SELESAI and get("9000001").finished_at
    assert get("9000002").status == S.PROSES and get("9000003").status == S.PROSES
    [ev] = _events("auto_finished")
    assert ev.actor_id is None and ev.from_status == S.PROSES and ev.to_status == S.SELESAI and ev.is_public
    overdue = _events("overdue")
    assert late.id in {e.complaint_id for e in overdue} and paused.id not in {e.complaint_id for e in overdue}
    assert result.digests >= 2
    n_msgs = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    n_overdue = len(overdue)
    # second run: nothing new
    again = run_daily(TODAY)
    db.session.commit()
    assert again.finished == [] and again.overdue_marked == 0 and again.digests == 0 and again.reminders == 0
    assert len(_events("overdue")) == n_overdue
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == n_msgs


def test_daily_cli(make, runner):
    _setup(make)
    db.session.commit()
    out = runner.invoke(args=["daily", "--today", TODAY.isoformat(), "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "would have closed 1" in out.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Complaint.status).where(Complaint.tracking_no == "9000001")) == S.PROSES
    out = runner.invoke(args=["daily", "--today", TODAY.isoformat()])
    assert out.exit_code == 0 and "closed 1" in out.output
    assert "summary tables: nothing to compact" in out.output  # small and compact (summary.compact)
    out = runner.invoke(args=["daily", "--today", TODAY.isoformat()])
    assert "closed 0" in out.output and "marked 0 overdue" in out.output
    assert runner.invoke(args=["daily", "--today", "kemarin"]).exit_code != 0


def test_daily_cli_applies_a_handover_on_its_first_day(make, runner):
    """Recorded on 20 December 2026 from the command line (no actor) for Monday 4 January 2027."""
    from portal.core.models import AuditLog
    from portal.people.liaisons import hand_over
    from portal.people.models import User

    opd = make.opd("DPUPR", email="pupr@uji.go.id")
    old = make.user("opd", opd=opd, email="lama@uji.go.id")
    new = make.user("opd", email="baru@uji.go.id")
    db.session.add(Liaison(opd=opd, user=old, valid_from=dt.date(2024, 1, 1)))
    db.session.flush()
    hand_over(opd, new, dt.date(2027, 1, 4), old_account="detach", today=dt.date(2026, 12, 20))
    db.session.commit()
    out = runner.invoke(args=["daily", "--today", "2027-01-03"])
    assert out.exit_code == 0 and "changed 0 accounts by handovers" in out.output
    out = runner.invoke(args=["daily", "--today", "2027-01-04", "--dry-run"])
    assert "would have" in out.output and "changed 2 accounts by handovers" in out.output
    db.session.expire_all()
    assert db.session.get(User, old.id).opd_id == opd.id and db.session.get(User, new.id).opd_id is None
    out = runner.invoke(args=["daily", "--today", "2027-01-04"])
    assert "changed 2 accounts by handovers" in out.output
    db.session.expire_all()
    assert db.session.get(User, old.id).opd_id is None and db.session.get(User, new.id).opd_id == opd.id
    logs = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "user.update")).all()
    assert len(logs) == 2 and {a.actor_id for a in logs} == {None}
    assert "changed 0 accounts by handovers" in runner.invoke(args=["daily", "--today", "2027-01-04"]).output

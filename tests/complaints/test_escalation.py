"""The escalation ladder (portal/complaints/escalation.py): working days past the stage deadline,
once per complaint and stage deadline, recipients of the day, run by the daily job."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.admin.cli import run_daily
from portal.complaints import escalation
from portal.complaints.models import ComplaintEvent
from portal.core.models import HolidayOverride, OutboxMessage, Setting
from portal.core.workdays import WorkCalendar, invalidate
from portal.extensions import db
from portal.people.liaisons import current_liaisons
from portal.people.models import Liaison

KINDS = escalation.STEP_KINDS


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)  # 10:00 WIB


@pytest.fixture
def world(make):
    opd = make.opd("DPUPR", "Dinas PUPR", email="pupr@uji.go.id")
    liaison = make.user("opd", opd=opd, email="penghubung@uji.go.id")
    db.session.add(Liaison(opd=opd, user=liaison, valid_from=dt.date(2024, 1, 1)))
    db.session.add(escalation.OPDHead(opd_id=opd.id, name="Ir. Kepala Dinas", email="kepala@uji.go.id"))
    db.session.flush()
    return opd


def late_complaint(make, opd, due: dt.date, *, status="proses", **kw):
    kw.setdefault("first_followup_at", at(due - dt.timedelta(days=20)))
    c = make.complaint(status=status, opd=opd, submitted_at=at(due - dt.timedelta(days=40)),
                       dispatched_at=at(due - dt.timedelta(days=30)),
                       reporter={"name": "Siti Aminah", "phone": "+6281234567890"},
                       title="Jalan rusak, hubungi Siti Aminah 0812-3456-7890", **kw)
    c.due_date = due
    c.stage_due_date = due
    db.session.flush()
    return c


def steps(complaint) -> list[str]:
    return list(db.session.scalars(
        sa.select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == complaint.id,
                                             ComplaintEvent.kind.in_(KINDS)).order_by(ComplaintEvent.id)))


def mails(kind: str | None = None) -> list[OutboxMessage]:
    q = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        q = q.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(q))


# --- working days --------------------------------------------------------------------------------

def test_age_counts_working_days_past_the_deadline_across_holidays():
    cal = WorkCalendar()
    # Christmas 2026 (24 cuti bersama, 25) and New Year 2027: 23 Dec → 28, 29, 30, 31 Dec, 4 Jan
    assert escalation.age(dt.date(2026, 12, 23), dt.date(2026, 12, 23), cal) == 0
    assert escalation.age(dt.date(2026, 12, 23), dt.date(2026, 12, 27), cal) == 0  # overdue, no working day yet
    assert escalation.age(dt.date(2026, 12, 23), dt.date(2026, 12, 29), cal) == 2
    assert escalation.age(dt.date(2026, 12, 23), dt.date(2027, 1, 1), cal) == 4
    assert escalation.age(dt.date(2026, 12, 23), dt.date(2027, 1, 4), cal) == 5
    # Nyepi and Idul Fitri 2027 (8–12 and 15 March): 5 March → 16 March is the first working day after
    assert escalation.age(dt.date(2027, 3, 5), dt.date(2027, 3, 15), cal) == 0
    assert escalation.age(dt.date(2027, 3, 5), dt.date(2027, 3, 16), cal) == 1


def test_ladder_defaults_settings_and_validation(app):
    assert escalation.ladder() == {"escalation_liaison": 0, "escalation_head": 2, "escalation_leadership": 5}
    assert escalation.save_ladder({"escalation_liaison": 1, "escalation_head": 3, "escalation_leadership": 10}) == {
        "ESCALATION_LIAISON_DAYS": [0, 1], "ESCALATION_HEAD_DAYS": [2, 3], "ESCALATION_LEADERSHIP_DAYS": [5, 10]}
    assert escalation.ladder()["escalation_leadership"] == 10
    db.session.get(Setting, "ESCALATION_HEAD_DAYS").value = "rubbish"
    assert escalation.ladder()["escalation_head"] == 2
    assert escalation.ladder_problem({"escalation_liaison": 3, "escalation_head": 2, "escalation_leadership": 5}) == "order"
    assert escalation.ladder_problem({"escalation_liaison": 0, "escalation_head": 0, "escalation_leadership": 61}) == "range"
    assert escalation.ladder_problem({"escalation_liaison": 0, "escalation_head": 0, "escalation_leadership": 0}) is None


# --- the steps -----------------------------------------------------------------------------------

def test_ladder_this_year_into_next_year(make, world):
    """Due Wednesday 23 Dec 2026: reminder 24 Dec (cuti bersama), head 29 Dec, leadership 4 Jan 2027."""
    c = late_complaint(make, world, dt.date(2026, 12, 23))
    escalation.escalate(dt.date(2026, 12, 23))
    assert steps(c) == []  # due today: not overdue yet
    escalation.escalate(dt.date(2026, 12, 24))
    assert steps(c) == ["escalation_liaison"]
    escalation.escalate(dt.date(2026, 12, 28))
    assert steps(c) == ["escalation_liaison"]
    escalation.escalate(dt.date(2026, 12, 29))
    assert steps(c) == ["escalation_liaison", "escalation_head"]
    escalation.escalate(dt.date(2027, 1, 1))
    assert steps(c) == ["escalation_liaison", "escalation_head"]
    escalation.escalate(dt.date(2027, 1, 4))
    assert steps(c) == list(KINDS)
    events = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.kind.in_(KINDS))).all()
    assert all(e.actor_id is None and not e.is_public and e.note == "2026-12-23" for e in events)
    last = events[-1]
    assert last.changes == {"step": [None, "escalation_leadership"], "stage_due_date": [None, "2026-12-23"],
                            "working_days_late": [None, 5]}
    assert [m.to_addr for m in mails("escalation_liaison")] == ["penghubung@uji.go.id"]
    assert [m.to_addr for m in mails("escalation_head")] == ["kepala@uji.go.id"]
    assert mails("escalation_leadership") == []  # listed, not mailed


def test_ladder_next_year_around_idul_fitri_2027(make, world):
    c = late_complaint(make, world, dt.date(2027, 3, 5))
    escalation.escalate(dt.date(2027, 3, 15))
    assert steps(c) == ["escalation_liaison"]
    escalation.escalate(dt.date(2027, 3, 16))
    assert steps(c) == ["escalation_liaison"]
    escalation.escalate(dt.date(2027, 3, 17))
    assert steps(c) == ["escalation_liaison", "escalation_head"]
    escalation.escalate(dt.date(2027, 3, 19))
    assert len(steps(c)) == 2
    escalation.escalate(dt.date(2027, 3, 22))
    assert steps(c) == list(KINDS)


def test_a_holiday_override_moves_the_step(make, world):
    """An admin-added holiday (a decree the package does not know) is not a working day for the ladder."""
    c = late_complaint(make, world, dt.date(2026, 12, 23))
    db.session.add(HolidayOverride(date=dt.date(2026, 12, 28), name="Cuti bersama tambahan", is_working_day=False))
    db.session.flush()
    invalidate()
    escalation.escalate(dt.date(2026, 12, 29))
    assert steps(c) == ["escalation_liaison"]  # 29 Dec is only the first working day after the deadline
    escalation.escalate(dt.date(2026, 12, 30))
    assert steps(c) == ["escalation_liaison", "escalation_head"]


def test_idempotent_per_day_and_catches_up(make, world):
    """A complaint long overdue gets every step it has reached at once; a second run adds nothing."""
    c = late_complaint(make, world, dt.date(2026, 11, 2))
    first = escalation.escalate(dt.date(2026, 12, 1))
    assert first.steps == {"escalation_liaison": 1, "escalation_head": 1, "escalation_leadership": 1}
    n_mail = len(mails())
    assert n_mail == 2
    again = escalation.escalate(dt.date(2026, 12, 1))
    assert again.steps == dict.fromkeys(KINDS, 0) and again.mails == 0
    escalation.escalate(dt.date(2026, 12, 2))
    assert steps(c) == list(KINDS) and len(mails()) == n_mail


def test_a_new_stage_deadline_starts_the_ladder_again(make, world):
    c = late_complaint(make, world, dt.date(2026, 11, 2), status="belum_ditindaklanjuti", first_followup_at=None)
    escalation.escalate(dt.date(2026, 11, 3))
    assert steps(c) == ["escalation_liaison"]
    c.stage_due_date = dt.date(2026, 11, 20)  # e.g. the first follow-up came: the completion deadline runs
    db.session.flush()
    escalation.escalate(dt.date(2026, 11, 23))
    assert steps(c) == ["escalation_liaison", "escalation_liaison"]


def test_only_dispatched_running_complaints_escalate(make, world):
    due = dt.date(2026, 11, 2)
    unverified = make.complaint(status="belum_terverifikasi", submitted_at=at(due - dt.timedelta(days=5)))
    unverified.stage_due_date = due
    paused = late_complaint(make, world, due, status="tunda")
    done = late_complaint(make, world, due, status="selesai")
    escalation.escalate(dt.date(2026, 12, 1))
    assert steps(unverified) == steps(paused) == steps(done) == []


def test_configured_ladder_is_followed(make, world):
    escalation.save_ladder({"escalation_liaison": 1, "escalation_head": 1, "escalation_leadership": 3})
    c = late_complaint(make, world, dt.date(2026, 12, 23))
    escalation.escalate(dt.date(2026, 12, 24))
    assert steps(c) == []
    escalation.escalate(dt.date(2026, 12, 28))
    assert steps(c) == ["escalation_liaison", "escalation_head"]
    escalation.escalate(dt.date(2026, 12, 30))
    assert steps(c) == list(KINDS)


# --- recipients ----------------------------------------------------------------------------------

def test_the_liaison_valid_on_the_day_gets_the_reminder(make, world):
    """A handover: the old liaison's term ended the day before; the new one's starts that day."""
    old = db.session.scalar(sa.select(Liaison).where(Liaison.opd_id == world.id))
    old.valid_to = dt.date(2026, 12, 20)
    new = make.user("opd", opd=world, email="baru@uji.go.id")
    db.session.add(Liaison(opd=world, user=new, valid_from=dt.date(2026, 12, 21)))
    later = make.user("opd", opd=world, email="nanti@uji.go.id")
    db.session.add(Liaison(opd=world, user=later, valid_from=dt.date(2027, 1, 10)))
    db.session.flush()
    assert [u.email for u in current_liaisons(world.id, on=dt.date(2026, 12, 20))] == ["penghubung@uji.go.id"]
    assert [u.email for u in current_liaisons(world.id, on=dt.date(2026, 12, 24))] == ["baru@uji.go.id"]
    late_complaint(make, world, dt.date(2026, 12, 23))
    escalation.escalate(dt.date(2026, 12, 24))
    assert [m.to_addr for m in mails("escalation_liaison")] == ["baru@uji.go.id"]


def test_mail_is_grouped_redacted_and_a_unit_uses_its_agency(make, world):
    unit = make.opd("UPTD1", "UPTD Jalan", parent=world)
    a = late_complaint(make, world, dt.date(2026, 11, 30))
    b = late_complaint(make, unit, dt.date(2026, 11, 30))
    escalation.escalate(dt.date(2026, 12, 1))
    liaison_mail = mails("escalation_liaison")
    # one per recipient and OPD: the agency's and the unit's lists both reach the agency's liaison
    assert [m.to_addr for m in liaison_mail] == ["penghubung@uji.go.id"] * 2
    assert sorted(m.subject.rsplit(" ", 1)[1] for m in liaison_mail) == ["DPUPR", "UPTD1"]
    body = "\n".join(m.body_text for m in liaison_mail)
    assert a.tracking_no in body and b.tracking_no in body
    assert "Siti" not in body and "3456" not in body  # the reporter never reaches mail
    escalation.escalate(dt.date(2026, 12, 3))
    heads = mails("escalation_head")
    assert {m.to_addr for m in heads} == {"kepala@uji.go.id"} and "Ir. Kepala Dinas" in heads[0].body_text


def test_no_head_contact_records_the_step_without_mail(make):
    opd = make.opd("DINSOS")
    c = late_complaint(make, opd, dt.date(2026, 11, 2))
    escalation.escalate(dt.date(2026, 12, 1))
    assert steps(c) == list(KINDS) and mails("escalation_head") == [] and mails("escalation_liaison") == []


# --- the daily job -------------------------------------------------------------------------------

def test_daily_job_runs_the_ladder_once(make, world):
    # recent activity, so the 10-working-day closure does not finish it first
    c = late_complaint(make, world, dt.date(2026, 11, 2), last_activity_at=at(dt.date(2026, 11, 30)))
    result = run_daily(dt.date(2026, 12, 1))
    db.session.commit()
    assert result.escalated == {"escalation_liaison": 1, "escalation_head": 1, "escalation_leadership": 1}
    assert result.escalation_mails == 2 and "escalated liaison 1, head 1, leadership 1" in result.summary()
    again = run_daily(dt.date(2026, 12, 1))
    db.session.commit()
    assert again.escalated == dict.fromkeys(KINDS, 0) and again.escalation_mails == 0
    assert steps(c) == list(KINDS)


def test_daily_command_without_notify_records_but_queues_nothing(make, world, runner):
    c = late_complaint(make, world, dt.date(2026, 11, 2), last_activity_at=at(dt.date(2026, 11, 30)))
    db.session.commit()
    out = runner.invoke(args=["daily", "--today", "2026-12-01", "--no-notify"])
    assert out.exit_code == 0, out.output
    assert "escalated liaison 1, head 1, leadership 1 (0 notices)" in out.output
    assert steps(c) == list(KINDS)
    assert mails("escalation_liaison") == []

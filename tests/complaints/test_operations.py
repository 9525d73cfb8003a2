import datetime as dt

import flask_babel
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal.complaints import operations as ops
from portal.complaints.models import Complaint, ComplaintEvent, Status
from portal.extensions import db

S = Status


def test_transition_table_is_closed_over_statuses():
    for src, dsts in ops.TRANSITIONS.items():
        assert src not in dsts
        assert all(isinstance(d, Status) for d in dsts)
    assert not ops.can_transition(S.SELESAI, S.BELUM_TERVERIFIKASI)
    assert ops.can_transition(S.BELUM_TERVERIFIKASI, S.ARSIP)


def test_verify_then_dispatch_records_events_and_due_date(make):
    kominfo = make.user("kominfo")
    opd = make.opd("DPUPR")
    cat = make.category("Infrastruktur > Jalan Rusak", norm_days=60)
    c = make.complaint(submitted_at=dt.datetime(2024, 4, 4, 2, tzinfo=dt.UTC))
    ops.verify(c, kominfo, category=cat)
    assert c.verified_at is not None and c.norm_days == 60
    ops.dispatch(c, kominfo, opd)
    c.dispatched_at = dt.datetime(2024, 4, 5, 3, tzinfo=dt.UTC)  # Friday 10:00 WIB
    c.norm_days = 5
    ops.refresh_due_date(c)
    assert c.due_date == dt.date(2024, 4, 22)
    assert c.status == S.BELUM_DITINDAKLANJUTI and c.opd_id == opd.id
    db.session.commit()
    kinds = [e.kind for e in db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id))]
    assert kinds == ["verified", "dispatched"]
    ev = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.kind == "dispatched")).one()
    assert ev.actor_id == kominfo.id and ev.from_status == S.BELUM_TERVERIFIKASI
    assert ev.changes == {"opd": [None, "DPUPR"]}


def test_followup_moves_to_proses_and_finish_requires_followup(make):
    kominfo = make.user("kominfo")
    opd = make.opd()
    c = make.complaint()
    ops.dispatch(c, kominfo, opd)
    with pytest.raises(ops.TransitionError):
        ops.finish(c, kominfo)
    ops.add_followup(c, kominfo, "Sudah ditinjau ke lokasi.")
    assert c.status == S.PROSES and c.first_followup_at is not None
    ops.finish(c, kominfo)
    assert c.status == S.SELESAI and c.finished_at is not None


def test_empty_followup_refused(make):
    c = make.complaint(status="proses", opd=make.opd())
    with pytest.raises(ops.TransitionError):
        ops.add_followup(c, None, "   ")


@pytest.mark.parametrize(("src", "action"), [
    ("selesai", "postpone"), ("arsip", "postpone"), ("belum_terverifikasi", "return"),
    ("proses", "verify"), ("selesai", "dispatch"),
])
def test_refused_transitions_change_nothing(make, src, action):
    kominfo = make.user("kominfo")
    opd = make.opd()
    c = make.complaint(status=src, opd=opd if src != "belum_terverifikasi" else None)
    before = c.status
    with pytest.raises(ops.TransitionError):
        if action == "postpone":
            ops.postpone(c, kominfo, "alasan")
        elif action == "return":
            ops.return_to_admin(c, kominfo, "bukan kewenangan")
        elif action == "verify":
            ops.verify(c, kominfo)
        else:
            ops.dispatch(c, kominfo, make.opd())
    assert c.status == before


def test_return_to_admin_keeps_history(make):
    kominfo = make.user("kominfo")
    a, b = make.opd("A"), make.opd("B")
    c = make.complaint()
    ops.dispatch(c, kominfo, a)
    liaison = make.user("opd", opd=a)
    ops.return_to_admin(c, liaison, "Bukan kewenangan provinsi")
    assert c.opd_id is None and c.returned_at is not None
    ops.dispatch(c, kominfo, b)
    assert c.opd_id == b.id and c.returned_at is None
    db.session.commit()
    kinds = [e.kind for e in c.events]
    assert kinds == ["dispatched", "returned", "dispatched"]


def test_archive_and_reopen(make):
    kominfo = make.user("kominfo")
    original = make.complaint()
    dup = make.complaint()
    ops.archive(dup, kominfo, "Duplikat", duplicate_of=original)
    assert dup.status == S.ARSIP and dup.duplicate_of_id == original.id
    ops.reopen(dup, kominfo)
    assert dup.status == S.BELUM_TERVERIFIKASI and dup.duplicate_of_id is None


def test_stale_form_version_is_a_conflict(make):
    c = make.complaint()
    db.session.commit()
    ops.check_version(c, c.version)
    with pytest.raises(ops.ConflictError):
        ops.check_version(c, c.version - 1 if c.version > 1 else c.version + 1)


def test_concurrent_flush_is_detected(app, make):
    c = make.complaint()
    db.session.commit()
    cid = c.id
    # a second session changes the row behind our back
    with db.engine.begin() as conn:
        conn.execute(sa.update(Complaint).where(Complaint.id == cid).values(version=Complaint.version + 1))
    c.title = "Perubahan saya"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_deadline_states(make):
    c = make.complaint(submitted_at=dt.datetime(2025, 2, 3, 1, tzinfo=dt.UTC))
    rows = {d["key"]: d for d in ops.deadlines(c, dt.date(2025, 2, 5))}
    assert rows["verifikasi"]["due"] == dt.date(2025, 2, 6)
    assert rows["verifikasi"]["state"] == "at_risk"
    rows = {d["key"]: d for d in ops.deadlines(c, dt.date(2025, 2, 7))}
    assert rows["verifikasi"]["state"] == "overdue"
    assert ops.deadline_state(dt.date(2025, 3, 1), dt.date(2025, 2, 3)) == "on_time"


def test_refusals_speak_the_users_language(app, make):
    """A refused action explains itself in the UI language (msgids are Indonesian)."""
    c = make.complaint(status="proses", opd=make.opd())
    staff = make.user("kominfo")
    for lang, want in (("id", "Proses: sudah diverifikasi"), ("en", ": already verified")):
        flask_babel.refresh()  # tests share one app context; a real request starts without a locale
        with app.test_request_context(f"/?lang={lang}"), pytest.raises(ops.TransitionError) as exc:
            ops.verify(c, staff)
        assert want in str(exc.value) and ("sudah" in str(exc.value)) == (lang == "id")
    with app.test_request_context("/?lang=en"), pytest.raises(ops.TransitionError) as exc:
        ops.postpone(c, staff, reason="  ")
    assert str(exc.value) == "a reason for postponing is required"
    flask_babel.refresh()
    # outside a request (CLI commands, jobs): Indonesian, never a "working outside of request" error
    with pytest.raises(ops.TransitionError, match=r"^alasan penundaan wajib diisi$"):
        ops.postpone(c, staff, reason="")

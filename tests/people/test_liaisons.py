"""The liaison roster: who is the current liaison of an OPD on a given day (``valid_from`` and ``valid_to``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.people.models import Liaison


@pytest.fixture
def roster(make):
    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", email="dpupr@uji.go.id")
    kominfo = make.user("kominfo", email="kominfo@uji.go.id")
    old = make.user("opd", opd=dpupr, email="lama@uji.go.id", name="Penghubung Lama")
    new = make.user("opd", email="baru@uji.go.id", name="Penghubung Baru")
    db.session.add(Liaison(opd=dpupr, user=old, valid_from=dt.date(2024, 1, 1)))
    db.session.flush()
    return SimpleNamespace(dpupr=dpupr, kominfo=kominfo, old=old, new=new)


def _future_handover(roster, login_as, days: int = 30, old_account: str = "detach") -> dt.date:
    start = today_wib() + dt.timedelta(days=days)
    resp = login_as(roster.kominfo).post(f"/admin/pengaturan/opd/{roster.dpupr.id}/serah-terima",
                                         data={"user": roster.new.id, "valid_from": start.isoformat(),
                                               "old_account": old_account})
    assert resp.status_code == 303
    db.session.expire_all()
    return start


@pytest.mark.parametrize("old_account", ["keep", "detach"])
def test_future_handover_does_not_invite_the_new_liaison_yet(roster, login_as, old_account):
    """A handover dated next month: today's rakor invitations still go to the serving liaison."""
    from portal.meetings import services as svc

    _future_handover(roster, login_as, old_account=old_account)
    meeting = svc.create_meeting(title="Rakor", day=today_wib() + dt.timedelta(days=7))
    made = svc.invite(meeting, [roster.dpupr.id], include_speakers=False)
    assert [i.email for i in made] == ["lama@uji.go.id"]


def test_future_handover_keeps_dispatch_mail_with_the_serving_liaison(roster, login_as):
    from portal.notifications import liaison_emails

    start = _future_handover(roster, login_as)
    assert liaison_emails(roster.dpupr) == ["lama@uji.go.id"]
    assert liaison_emails(roster.dpupr, start - dt.timedelta(days=1)) == ["lama@uji.go.id"]
    assert liaison_emails(roster.dpupr, start) == ["baru@uji.go.id"]


def test_future_handover_leaves_the_opd_list_showing_the_serving_liaison(roster, login_as):
    _future_handover(roster, login_as)
    client = login_as(roster.kominfo)
    client.get("/admin/pengaturan/opd")  # shows the handover's flash message
    page = client.get("/admin/pengaturan/opd").get_data(as_text=True)
    assert "Penghubung Lama" in page and "Penghubung Baru" not in page


def test_current_liaisons_on_a_day(make):
    from portal.people.liaisons import current_liaisons, current_liaisons_by_opd

    opd, other = make.opd("DINKES"), make.opd("DISPAR")
    first, second, gone = (make.user("opd", opd=opd, email=f"{n}@uji.go.id") for n in ("satu", "dua", "nonaktif"))
    lone = make.user("opd", opd=other, email="sepi@uji.go.id")
    db.session.add_all([
        Liaison(opd=opd, user=first, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 6, 30)),
        Liaison(opd=opd, user=second, valid_from=dt.date(2024, 7, 1)),
        Liaison(opd=opd, user=gone, valid_from=dt.date(2024, 1, 1)),
        Liaison(opd=other, user=lone, valid_from=dt.date(2024, 3, 1)),
    ])
    gone.active = False
    db.session.flush()
    assert current_liaisons(opd, on=dt.date(2023, 12, 31)) == []
    assert current_liaisons(opd, on=dt.date(2024, 1, 1)) == [first]
    assert current_liaisons(opd, on=dt.date(2024, 6, 30)) == [first]  # the last day still counts
    assert current_liaisons(opd, on=dt.date(2024, 7, 1)) == [second]
    assert current_liaisons(opd.id) == [second]  # today
    assert current_liaisons_by_opd([opd.id, other.id], on=dt.date(2024, 2, 1)) == {opd.id: [first]}
    assert current_liaisons_by_opd(on=dt.date(2024, 3, 1)) == {opd.id: [first], other.id: [lone]}


def test_serving_in_a_period(make):
    import sqlalchemy as sa

    from portal.people.liaisons import serving

    opd = make.opd()
    user = make.user("opd", opd=opd)
    db.session.add(Liaison(opd=opd, user=user, valid_from=dt.date(2024, 3, 1), valid_to=dt.date(2024, 3, 31)))
    db.session.flush()

    def count(start, end=None):
        return db.session.scalar(sa.select(sa.func.count()).select_from(Liaison).where(serving(start, end)))

    assert count(dt.date(2024, 1, 1), dt.date(2024, 2, 29)) == 0
    assert count(dt.date(2024, 1, 1), dt.date(2024, 3, 1)) == 1
    assert count(dt.date(2024, 3, 31), dt.date(2024, 12, 31)) == 1
    assert count(dt.date(2024, 4, 1)) == 0


# --- account changes on the handover's first day ---------------------------------------------------

RECORDED, START = dt.date(2026, 12, 20), dt.date(2027, 1, 4)  # recorded before the year end, starting after it


@pytest.fixture
def on_day(monkeypatch):
    """Pretend today (WIB) is ``day`` for the roster, the sign-in check and the pages."""
    from portal.admin.desk import routes as desk
    from portal.admin.settings import routes as settings
    from portal.core import timeutil
    from portal.people import liaisons

    def _set(day: dt.date) -> None:
        for module in (timeutil, liaisons, desk, settings):
            monkeypatch.setattr(module, "today_wib", lambda: day)

    return _set


def _audit(action: str | None = None):
    import sqlalchemy as sa

    from portal.core.models import AuditLog

    q = sa.select(AuditLog).order_by(AuditLog.id)
    if action:
        q = q.where(AuditLog.action == action)
    return list(db.session.scalars(q))


def _terms(opd):
    import sqlalchemy as sa

    return list(db.session.scalars(sa.select(Liaison).where(Liaison.opd_id == opd.id).order_by(Liaison.id)))


@pytest.mark.parametrize("old_account", ["deactivate", "detach"])
def test_future_handover_changes_the_accounts_on_its_first_day_once(roster, old_account):
    from portal.complaints.daily import run_daily
    from portal.people.liaisons import apply_due_handovers, hand_over

    gen = roster.old.session_gen
    hand_over(roster.dpupr, roster.new, START, old_account=old_account, actor=roster.kominfo, today=RECORDED)
    db.session.commit()
    # recorded: the roster knows, the accounts are as they were
    old_term, new_term = _terms(roster.dpupr)
    assert old_term.valid_to == dt.date(2027, 1, 3) and old_term.pending_account == old_account
    assert new_term.valid_from == START and new_term.pending_opd is True
    assert roster.old.active is True and roster.old.opd_id == roster.dpupr.id and roster.old.session_gen == gen
    assert roster.new.opd_id is None and roster.new.opd_scope() == []
    assert [a.action for a in _audit()] == ["liaison.end", "liaison.start"]
    assert _audit("liaison.end")[0].changes == {"valid_to": [None, "2027-01-03"], "pending_account": [None, old_account]}
    # the outgoing liaison's last day: still nothing
    assert apply_due_handovers(dt.date(2027, 1, 3)) == 0
    assert run_daily(dt.date(2027, 1, 3), notify=False).handover_accounts == 0
    db.session.commit()
    assert roster.old.active is True and roster.new.opd_id is None and len(_audit()) == 2
    # the first day: the daily job makes both changes, audited by the admin who recorded the handover
    result = run_daily(START, notify=False)
    db.session.commit()
    assert result.handover_accounts == 2 and "changed 2 accounts by handovers" in result.summary()
    db.session.expire_all()
    if old_account == "deactivate":
        assert roster.old.active is False and roster.old.session_gen == gen + 1
        assert roster.old.opd_id == roster.dpupr.id
    else:
        assert roster.old.active is True and roster.old.opd_id is None and roster.old.session_gen == gen
    assert roster.new.opd_id == roster.dpupr.id and roster.new.opd_scope() == [roster.dpupr.id]
    done = _audit()[2:]
    assert [(a.action, a.object_id) for a in done] == [
        ("user.deactivate" if old_account == "deactivate" else "user.update", str(roster.old.id)),
        ("user.update", str(roster.new.id))]
    assert {a.actor_id for a in done} == {roster.kominfo.id}
    assert done[-1].changes == {"opd_id": [None, roster.dpupr.id]}
    assert all(t.pending_account is None and t.pending_opd is False for t in _terms(roster.dpupr))
    # again (a second run, a late one, the sign-in check): nothing changes, nothing more is audited
    assert apply_due_handovers(START) == 0
    assert run_daily(dt.date(2027, 1, 5), notify=False).handover_accounts == 0
    db.session.commit()
    assert len(_audit()) == 4


def test_handover_dated_today_or_earlier_changes_the_accounts_at_once(roster):
    from portal.people.liaisons import apply_due_handovers, hand_over

    hand_over(roster.dpupr, roster.new, dt.date(2026, 12, 1), actor=roster.kominfo, today=dt.date(2026, 12, 20))
    db.session.flush()
    assert roster.old.active is False and roster.new.opd_id == roster.dpupr.id
    assert all(t.pending_account is None and t.pending_opd is False for t in _terms(roster.dpupr))
    assert [a.action for a in _audit()] == ["liaison.end", "user.deactivate", "user.update", "liaison.start"]
    assert apply_due_handovers(dt.date(2026, 12, 20)) == 0 and len(_audit()) == 4
    other = roster.old.__class__(email="x@uji.go.id", name="X", role="opd", password_hash="-", active=True)
    db.session.add(other)
    db.session.flush()
    hand_over(roster.dpupr, other, START, old_account="detach", actor=roster.kominfo, today=START)  # today
    db.session.flush()
    assert roster.new.opd_id is None and other.opd_id == roster.dpupr.id


def test_future_handover_to_someone_already_on_the_opd_schedules_nothing_for_them(roster):
    from portal.people.liaisons import hand_over

    roster.new.opd = roster.dpupr
    db.session.flush()
    term = hand_over(roster.dpupr, roster.new, START, old_account="keep", today=RECORDED)
    assert term.pending_opd is False and roster.old.active is True


def test_replacing_a_handover_before_it_starts_cancels_the_scheduled_term(roster, make):
    from portal.people.liaisons import apply_due_handovers, current_liaisons, hand_over

    third = make.user("opd", email="ketiga@uji.go.id", name="Penghubung Ketiga")
    hand_over(roster.dpupr, roster.new, START, actor=roster.kominfo, today=RECORDED)
    # the SK changed: somebody else takes over on the same day
    hand_over(roster.dpupr, third, START, actor=roster.kominfo, today=dt.date(2026, 12, 28))
    db.session.flush()
    old_term, cancelled, term = _terms(roster.dpupr)
    assert cancelled.cancelled and cancelled.pending_opd is False and cancelled.valid_to == dt.date(2027, 1, 3)
    assert old_term.pending_account == "deactivate" and term.pending_opd is True
    assert [a.action for a in _audit()] == ["liaison.end", "liaison.start", "liaison.cancel", "liaison.start"]
    assert current_liaisons(roster.dpupr, on=START) == [third]
    assert apply_due_handovers(START) == 2
    assert roster.old.active is False and third.opd_id == roster.dpupr.id
    assert roster.new.opd_id is None and roster.new.active is True  # never served: left as it was


def test_deactivating_an_incoming_liaison_cancels_their_scheduled_term(roster):
    from portal.people.liaisons import apply_due_handovers, end_terms, hand_over

    term = hand_over(roster.dpupr, roster.new, START, old_account="keep", today=RECORDED)
    end_terms(roster.new, dt.date(2026, 12, 22))
    assert term.cancelled and term.pending_opd is False
    assert apply_due_handovers(START) == 0 and roster.new.opd_id is None


def test_sign_in_check_applies_a_due_handover_before_the_daily_job(roster, app, on_day):
    """Between midnight and the daily job (or when it did not run), the accounts follow the roster anyway."""
    from flask import g

    from portal.people.liaisons import hand_over
    from tests.conftest import login

    hand_over(roster.dpupr, roster.new, START, actor=roster.kominfo, today=RECORDED)
    db.session.commit()
    old_client, new_client = app.test_client(), app.test_client()
    login(old_client, roster.old)
    login(new_client, roster.new)

    def desk(client):
        g.pop("_login_user", None)  # the test's app context outlives requests: drop the cached user
        return client.get("/admin/opd")

    on_day(RECORDED)
    page = desk(new_client).get_data(as_text=True)
    assert "mulai 4 Januari 2027" in page and "Dinas Pekerjaan Umum dan Penataan Ruang" in page
    page = desk(old_client).get_data(as_text=True)
    assert "berakhir 3 Januari 2027; setelah itu akun ini dinonaktifkan" in page
    on_day(START)
    assert desk(old_client).status_code in (302, 401)  # signed out: the account is deactivated now
    resp = desk(new_client)
    assert resp.status_code == 200 and "Meja OPD · Dinas Pekerjaan Umum" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert roster.old.active is False and roster.new.opd_id == roster.dpupr.id
    assert [a.action for a in _audit()] == ["liaison.end", "liaison.start", "user.deactivate", "user.update"]
    desk(new_client)
    from portal.complaints.daily import run_daily

    assert run_daily(START, notify=False).handover_accounts == 0
    assert len(_audit()) == 4


def test_liaison_without_an_opd_is_told_so(make, login_as):
    user = make.user("opd", email="tanpa.opd@uji.go.id")
    page = login_as(user).get("/admin/opd").get_data(as_text=True)
    assert "belum terhubung ke OPD mana pun" in page

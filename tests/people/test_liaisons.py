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

"""create_user: the one way an account is made (web settings page and ``user create``)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.core.models import AuditLog, OutboxMessage
from portal.extensions import db
from portal.people import PeopleError
from portal.people.accounts import create_user
from portal.people.liaisons import current_liaisons, hand_over
from portal.people.models import Liaison, Role


def test_create_user_normalises_checks_and_audits(make):
    opd = make.opd("DINKES")
    actor = make.user("kominfo", email="admin@uji.go.id")
    user = create_user(" Penghubung@Dinkes.GO.ID ", "opd", "Rahasia-2026x", opd=opd, actor=actor)
    assert (user.email, user.role, user.opd_id, user.active, user.name) == (
        "penghubung@dinkes.go.id", Role.OPD, opd.id, True, "penghubung")
    assert user.check_password("Rahasia-2026x")
    log = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "user.create")).one()
    assert log.actor_id == actor.id and log.changes["email"] == [None, "penghubung@dinkes.go.id"]
    cli_user = create_user("pimpinan@uji.go.id", Role.PIMPINAN, "Rahasia-2026x", name="Ibu Pimpinan")
    assert cli_user.name == "Ibu Pimpinan"
    assert db.session.scalars(sa.select(AuditLog.actor_id).where(AuditLog.object_id == str(cli_user.id))).all() == [None]


@pytest.mark.parametrize(("args", "field", "code"), [
    (("bukan-email", "kominfo", "Rahasia-2026x"), "email", "invalid"),
    (("ADMIN@uji.go.id", "kominfo", "Rahasia-2026x"), "email", "taken"),
    (("baru@uji.go.id", "opd", "Rahasia-2026x"), "opd", "required"),
    (("baru@uji.go.id", "kominfo", "pendek1"), "password", "weak"),
    (("baru@uji.go.id", "kominfo", "baru-2026-abc"), "password", "weak"),
])
def test_create_user_refuses(make, args, field, code):
    make.user("kominfo", email="admin@uji.go.id")
    with pytest.raises(PeopleError) as info:
        create_user(*args)
    assert (info.value.field, info.value.code) == (field, code)


def test_create_user_ties_only_liaisons_to_an_opd(make):
    with pytest.raises(PeopleError) as info:
        create_user("baru@uji.go.id", "kominfo", "Rahasia-2026x", opd=make.opd())
    assert (info.value.field, info.value.code) == ("opd", "not_allowed")


def test_hand_over_ends_old_terms_and_mails_the_new_liaison(make):
    opd = make.opd("DPUPR", email="dpupr@uji.go.id")
    old = make.user("opd", opd=opd, email="lama@uji.go.id")
    new = make.user("opd", email="baru@uji.go.id")
    db.session.add(Liaison(opd=opd, user=old, valid_from=dt.date(2024, 1, 1)))
    db.session.flush()
    term = hand_over(opd, new, dt.date(2025, 3, 1), old_account="detach", note="SK 1")
    assert (term.user, term.valid_from, term.note, new.opd_id) == (new, dt.date(2025, 3, 1), "SK 1", opd.id)
    assert old.opd_id is None and old.active
    assert current_liaisons(opd, on=dt.date(2025, 2, 28)) == [old]
    assert current_liaisons(opd, on=dt.date(2025, 3, 1)) == [new]
    assert db.session.scalars(sa.select(OutboxMessage.to_addr)).all() == ["baru@uji.go.id"]
    with pytest.raises(PeopleError) as info:
        hand_over(opd, new, dt.date(2025, 4, 1))
    assert info.value.code == "already"
    with pytest.raises(PeopleError) as info:
        hand_over(opd, make.user("kominfo"), dt.date(2025, 4, 1))
    assert info.value.code == "not_liaison"


def test_only_a_liaison_without_an_opd_awaits_a_handover(make):
    opd = make.opd("DPUPR", "Dinas PUPR")
    user = create_user("calon@uji.go.id", "opd", "Sangat-Aman-2026", name="Calon", awaiting_handover=True)
    assert user.opd_id is None and user.active
    for role, with_opd in (("opd", opd), ("pimpinan", None)):
        try:
            create_user(f"{role}@uji.go.id", role, "Sangat-Aman-2026", name="X", opd=with_opd, awaiting_handover=True)
        except PeopleError as exc:
            assert (exc.field, exc.code) == ("opd", "not_allowed")
        else:
            raise AssertionError(f"{role} with opd={with_opd} was accepted as awaiting a handover")

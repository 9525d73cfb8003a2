import sqlalchemy as sa

from portal.complaints.models import Complaint, Status
from portal.extensions import db
from portal.people.models import OPD, Liaison, User


def test_opd_create_and_unit(runner):
    r = runner.invoke(args=["opd", "create", "--code", "dinkes", "--name", "Dinas Kesehatan"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["opd", "create", "--code", "UPTLAB", "--name", "UPT Labkesda", "--parent", "DINKES"])
    assert r.exit_code == 0, r.output
    unit = db.session.scalar(sa.select(OPD).where(OPD.code == "UPTLAB"))
    assert unit.parent.code == "DINKES"
    assert set(unit.parent.subtree_ids()) == {unit.parent.id, unit.id}


def test_opd_create_bad_input(runner):
    runner.invoke(args=["opd", "create", "--code", "DINKES", "--name", "Dinas Kesehatan"])
    r = runner.invoke(args=["opd", "create", "--code", "DINKES", "--name", "Lagi"])
    assert r.exit_code != 0 and "already exists" in r.output
    r = runner.invoke(args=["opd", "create", "--code", "X Y", "--name", "Spasi"])
    assert r.exit_code != 0
    r = runner.invoke(args=["opd", "create", "--code", "UNIT", "--name", "Unit", "--parent", "NOPE"])
    assert r.exit_code != 0 and "unknown parent" in r.output


def test_user_create_with_password_from_stdin(runner, make):
    make.opd("DINKES")
    db.session.commit()
    r = runner.invoke(args=["user", "create", "--email", "Penghubung@Dinkes.go.id", "--role", "opd", "--opd",
                            "dinkes", "--password-stdin"], input="Kuat-Sekali-2026\n")
    assert r.exit_code == 0, r.output
    user = db.session.scalar(sa.select(User).where(User.email == "penghubung@dinkes.go.id"))
    assert user.check_password("Kuat-Sekali-2026") and user.password_hash.startswith("scrypt:")
    assert user.opd.code == "DINKES"


def test_user_create_refuses_weak_or_missing_password(runner):
    r = runner.invoke(args=["user", "create", "--email", "a@b.go.id", "--role", "kominfo", "--password-stdin"],
                      input="12345\n")
    assert r.exit_code != 0 and "password refused" in r.output
    r = runner.invoke(args=["user", "create", "--email", "a@b.go.id", "--role", "kominfo"], input="")
    assert r.exit_code != 0 and "password" in r.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_user_create_bad_role_and_opd(runner):
    r = runner.invoke(args=["user", "create", "--email", "a@b.go.id", "--role", "raja", "--password-stdin"],
                      input="Kuat-Sekali-2026\n")
    assert r.exit_code != 0
    r = runner.invoke(args=["user", "create", "--email", "a@b.go.id", "--role", "opd", "--password-stdin"],
                      input="Kuat-Sekali-2026\n")
    assert r.exit_code != 0 and "--opd is required" in r.output
    r = runner.invoke(args=["user", "create", "--email", "a@b.go.id", "--role", "opd", "--opd", "NOPE",
                            "--password-stdin"], input="Kuat-Sekali-2026\n")
    assert r.exit_code != 0 and "unknown OPD" in r.output
    r = runner.invoke(args=["user", "create", "--email", "bukan-email", "--role", "kominfo", "--password-stdin"],
                      input="Kuat-Sekali-2026\n")
    assert r.exit_code != 0 and "invalid e-mail" in r.output


def test_demo_data_is_consistent(runner):
    r = runner.invoke(args=["demo-data", "--complaints", "400", "--seed", "7"])
    assert r.exit_code == 0, r.output
    assert "kominfo@demo.lapor.id" in r.output
    complaints = db.session.scalars(sa.select(Complaint)).all()
    assert len(complaints) == 400
    statuses = {c.status for c in complaints}
    assert {Status.SELESAI, Status.PROSES} <= statuses
    for c in complaints:
        if c.verified_at:
            assert c.verified_at >= c.submitted_at
        if c.first_followup_at:
            assert c.dispatched_at and c.first_followup_at >= c.dispatched_at
            assert c.opd_id is not None
        if c.status == Status.SELESAI:
            assert c.finished_at and c.first_followup_at
        if c.status == Status.BELUM_TERVERIFIKASI:
            assert c.verified_at is None and c.opd_id is None
        assert c.due_date is not None and c.reporter is not None
    assert any(c.is_anonymous for c in complaints) and any(c.is_confidential for c in complaints)
    # handover kept as history: a closed term and a current one at DPUPR
    terms = db.session.scalars(sa.select(Liaison).join(OPD).where(OPD.code == "DPUPR")).all()
    assert {t.valid_to is None for t in terms} == {True, False}
    # --if-empty leaves a loaded database alone
    r = runner.invoke(args=["demo-data", "--if-empty"])
    assert r.exit_code == 0 and "not loaded" in r.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 400

"""People & settings: OPDs, users, liaison handover, categories, holidays — every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import g

from portal.complaints.models import Category
from portal.core.models import AuditLog, HolidayOverride, OutboxMessage
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.people.models import OPD, Liaison, User

PAGES = ["/admin/pengaturan", "/admin/pengaturan/opd", "/admin/pengaturan/pengguna", "/admin/pengaturan/kategori",
         "/admin/pengaturan/libur"]


def actions() -> list[str]:
    return [a.action for a in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_kominfo_only(world, login_as, app, path):
    assert login_as(world.kominfo).get(path).status_code == 200
    for who in (world.pimpinan, world.ombudsman, world.liaison):
        client = app.test_client()
        from tests.conftest import login

        login(client, who)
        g.pop("_login_user", None)  # the test's app context outlives requests: drop the cached user
        assert client.get(path).status_code == 403


def test_create_and_edit_opd_with_aliases(world, login_as):
    client = login_as(world.kominfo)
    resp = client.post("/admin/pengaturan/opd", data={"code": "samsatcilegon", "name": "UPTD Samsat Cilegon",
                                                      "parent": world.dpupr.id, "aliases": "Samsat Cilegon, Samsat CLG",
                                                      "active": "y"})
    assert resp.status_code == 303
    opd = db.session.scalar(sa.select(OPD).where(OPD.code == "SAMSATCILEGON"))
    assert opd.aliases == ["Samsat Cilegon", "Samsat CLG"] and opd.parent_id == world.dpupr.id
    assert client.post("/admin/pengaturan/opd", data={"code": "DPUPR", "name": "x"}).status_code == 422
    resp = client.post(f"/admin/pengaturan/opd/{opd.id}", data={"code": "SAMSATCLG", "name": "UPTD Samsat Cilegon",
                                                               "parent": "", "aliases": "", "active": "y"})
    assert resp.status_code == 303
    # a unit cannot become the parent of its own agency
    resp = client.post(f"/admin/pengaturan/opd/{world.dpupr.id}",
                       data={"code": "DPUPR", "name": "Dinas PUPR", "parent": world.dpupr.id, "active": "y"})
    assert resp.status_code == 422
    log = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "opd.update")).one()
    assert log.changes["code"] == ["SAMSATCILEGON", "SAMSATCLG"] and log.actor_id == world.kominfo.id
    assert actions() == ["opd.create", "opd.update"]
    assert "UPTD Samsat Cilegon" in client.get("/admin/pengaturan/opd").get_data(as_text=True)


def test_users_create_deactivate_reset(world, login_as):
    client = login_as(world.kominfo)
    data = {"email": "Baru@Uji.go.id", "name": "Penghubung Baru", "role": "opd", "opd": world.dinkes.id,
            "password": "pendek"}
    assert client.post("/admin/pengaturan/pengguna", data=data).status_code == 422
    data["password"] = "Sangat-Aman-2026"
    assert client.post("/admin/pengaturan/pengguna", data=data).status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == "baru@uji.go.id"))
    assert user.opd_id == world.dinkes.id and user.check_password("Sangat-Aman-2026")
    assert client.post("/admin/pengaturan/pengguna", data=data).status_code == 422  # duplicate
    bad = dict(data, email="x@uji.go.id", role="pimpinan")
    assert client.post("/admin/pengaturan/pengguna", data=bad).status_code == 422  # pimpinan with an OPD
    client.post(f"/admin/pengaturan/pengguna/{user.id}/sandi", data={"password": "Lapor-Sandi-2027"})
    db.session.expire_all()
    assert user.check_password("Lapor-Sandi-2027")
    client.post(f"/admin/pengaturan/pengguna/{user.id}/status")
    db.session.expire_all()
    assert user.active is False
    # cannot deactivate oneself
    client.post(f"/admin/pengaturan/pengguna/{world.kominfo.id}/status")
    db.session.expire_all()
    assert world.kominfo.active is True
    assert actions() == ["user.create", "user.password_reset", "user.deactivate"]
    assert "Sangat-Aman" not in str([a.changes for a in db.session.scalars(sa.select(AuditLog))])


def test_handover_new_liaison_takes_over_old_loses_access(world, make, login_as, app):
    new = make.user("opd", email="pengganti@uji.go.id", name="Pengganti")
    make.complaint(tracking_no="9100001", status="proses", opd=world.dpupr)
    old_id = world.liaison.id
    client = login_as(world.kominfo)
    resp = client.post(f"/admin/pengaturan/opd/{world.dpupr.id}/serah-terima",
                       data={"user": new.id, "valid_from": "2026-01-05", "note": "SK 800/12/2026", "old_account": "deactivate"})
    assert resp.status_code == 303
    db.session.expire_all()
    terms = db.session.scalars(sa.select(Liaison).where(Liaison.opd_id == world.dpupr.id).order_by(Liaison.id)).all()
    assert [(t.user_id, t.valid_to) for t in terms] == [(old_id, dt.date(2026, 1, 4)), (new.id, None)]
    assert terms[1].note == "SK 800/12/2026"
    assert db.session.get(User, old_id).active is False
    assert db.session.get(User, new.id).opd_id == world.dpupr.id
    assert actions() == ["liaison.end", "user.deactivate", "user.update", "liaison.start"]
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "handover")).one()
    assert mail.to_addr == "pengganti@uji.go.id" and "1 laporan terbuka" in mail.body_text
    # the old account can no longer sign in or see the OPD desk
    from tests.conftest import login

    old_client = app.test_client()
    login(old_client, db.session.get(User, old_id))
    g.pop("_login_user", None)
    assert old_client.get("/admin/opd").status_code in (302, 401)
    # history stays on the page
    g.pop("_login_user", None)
    page = client.get(f"/admin/pengaturan/opd/{world.dpupr.id}").get_data(as_text=True)
    assert "Penghubung DPUPR" in page and "Pengganti" in page
    # the same person twice is refused
    resp = client.post(f"/admin/pengaturan/opd/{world.dpupr.id}/serah-terima",
                       data={"user": new.id, "valid_from": "2026-02-01", "old_account": "detach"})
    assert resp.status_code == 422


def test_handover_detach_keeps_account_without_opd(world, make, login_as):
    new = make.user("opd", email="pengganti2@uji.go.id")
    client = login_as(world.kominfo)
    client.post(f"/admin/pengaturan/opd/{world.dpupr.id}/serah-terima",
                data={"user": new.id, "valid_from": "2026-01-05", "old_account": "detach"})
    db.session.expire_all()
    old = db.session.get(User, world.liaison.id)
    assert old.active is True and old.opd_id is None and old.opd_scope() == []


def test_handover_dated_in_the_future_schedules_the_account_changes(world, make, login_as, monkeypatch):
    """Recorded on 20 December 2026 for 4 January 2027: the page says what happens to the accounts, and when."""
    from portal.admin.settings import routes
    from portal.complaints.daily import run_daily
    from portal.people import liaisons

    for module in (routes, liaisons):
        monkeypatch.setattr(module, "today_wib", lambda: dt.date(2026, 12, 20))
    new = make.user("opd", email="pengganti3@uji.go.id", name="Pengganti Tahun Baru", opd=world.dinkes)
    client = login_as(world.kominfo)
    resp = client.post(f"/admin/pengaturan/opd/{world.dpupr.id}/serah-terima",
                       data={"user": new.id, "valid_from": "2027-01-04", "old_account": "deactivate"})
    assert resp.status_code == 303
    db.session.expire_all()
    old = db.session.get(User, world.liaison.id)
    assert old.active is True and old.opd_id == world.dpupr.id
    assert db.session.get(User, new.id).opd_id == world.dinkes.id  # keeps its present OPD until then
    assert actions() == ["liaison.end", "liaison.start"]
    page = client.get(f"/admin/pengaturan/opd/{world.dpupr.id}").get_data(as_text=True)
    assert "mulai 4 Januari 2027; perubahan akun dijadwalkan pada tanggal itu" in page  # the flash message
    assert "Dijadwalkan 4 Januari 2027: akun dinonaktifkan." in page
    assert "Dijadwalkan 4 Januari 2027: akun mendapat akses ke OPD ini." in page
    assert "terjadwal" in page
    run_daily(dt.date(2027, 1, 4), notify=False)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, world.liaison.id).active is False
    assert db.session.get(User, new.id).opd_id == world.dpupr.id
    assert actions() == ["liaison.end", "liaison.start", "user.deactivate", "user.update"]
    assert {a.actor_id for a in db.session.scalars(sa.select(AuditLog))} == {world.kominfo.id}
    monkeypatch.setattr(routes, "today_wib", lambda: dt.date(2027, 1, 4))
    page = client.get(f"/admin/pengaturan/opd/{world.dpupr.id}").get_data(as_text=True)
    assert "Dijadwalkan" not in page and "terjadwal" not in page


def test_handover_page_in_english(world, make, login_as, monkeypatch):
    from portal.admin.settings import routes
    from portal.people import liaisons

    for module in (routes, liaisons):
        monkeypatch.setattr(module, "today_wib", lambda: dt.date(2026, 12, 20))
    new = make.user("opd", email="pengganti4@uji.go.id", name="Pengganti")
    client = login_as(world.kominfo)
    client.post(f"/admin/pengaturan/opd/{world.dpupr.id}/serah-terima",
                data={"user": new.id, "valid_from": "2027-01-04", "old_account": "detach"})
    from flask_babel import refresh

    refresh()  # the test's app context keeps the locale on g: select it again for this request
    page = client.get(f"/admin/pengaturan/opd/{world.dpupr.id}?lang=en").get_data(as_text=True)
    assert "Scheduled for 4 January 2027: the account loses access to this OPD." in page


def test_categories_tree_norms_default_opd_keywords(world, login_as):
    client = login_as(world.kominfo)
    resp = client.post("/admin/pengaturan/kategori", data={
        "name": "Trotoar", "parent": world.road.parent_id, "norm_days": "14", "default_opd": world.dpupr.id,
        "keywords": "trotoar\n  pejalan kaki \n", "active": "y"})
    assert resp.status_code == 303
    cat = db.session.scalar(sa.select(Category).where(Category.path == "Infrastruktur > Trotoar"))
    assert cat.norm_days == 14 and cat.default_opd_id == world.dpupr.id and cat.keywords == "trotoar\npejalan kaki"
    root = world.road.parent
    resp = client.post(f"/admin/pengaturan/kategori/{root.id}", data={"name": "Prasarana", "parent": "", "norm_days": "60",
                                                                      "default_opd": "", "keywords": "", "active": "y"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(Category, world.road.id).path == "Prasarana > Jalan Rusak"
    assert db.session.get(Category, cat.id).path == "Prasarana > Trotoar"
    assert actions() == ["category.create", "category.update"]


def test_holiday_override_changes_calendar_and_is_audited(world, login_as):
    client = login_as(world.kominfo)
    day = dt.date(2026, 3, 4)  # an ordinary Wednesday
    assert get_calendar().is_working_day(day)
    resp = client.post("/admin/pengaturan/libur", data={"date": day.isoformat(), "name": "Cuti bersama (SKB 2026)"})
    assert resp.status_code == 303
    assert not get_calendar().is_working_day(day)
    assert client.post("/admin/pengaturan/libur", data={"date": day.isoformat(), "name": "lagi"}).status_code == 422
    row = db.session.scalar(sa.select(HolidayOverride))
    assert "Cuti bersama" in client.get("/admin/pengaturan/libur?tahun=2026").get_data(as_text=True)
    client.post(f"/admin/pengaturan/libur/{row.id}/hapus")
    assert get_calendar().is_working_day(day)
    assert actions() == ["holiday.create", "holiday.delete"]
    assert "holiday.delete" in client.get("/admin/pengaturan").get_data(as_text=True)


def test_a_liaison_who_starts_later_gets_an_account_without_an_opd_until_the_handover(world, login_as, client,
                                                                                     monkeypatch):
    """The account is made on 20 December 2026 for a term from 4 January 2027: no OPD (no complaint in
    reach) until the handover's first day gives it one."""
    from portal.admin.settings import routes
    from portal.complaints.daily import run_daily
    from portal.people import liaisons

    for module in (routes, liaisons):
        monkeypatch.setattr(module, "today_wib", lambda: dt.date(2026, 12, 20))
    admin = login_as(world.kominfo)
    data = {"email": "calon@uji.go.id", "name": "Calon Penghubung", "role": "opd", "opd": "",
            "password": "Sangat-Aman-2026"}
    page = admin.post("/admin/pengaturan/pengguna", data=data)
    assert page.status_code == 422 and "Pejabat penghubung wajib memiliki OPD." in page.get_data(as_text=True)
    both = admin.post("/admin/pengaturan/pengguna", data=dict(data, opd=world.dpupr.id, awaiting="y"))
    assert both.status_code == 422 and "tidak keduanya" in both.get_data(as_text=True)
    other_role = admin.post("/admin/pengaturan/pengguna", data=dict(data, role="pimpinan", awaiting="y"))
    assert other_role.status_code == 422
    assert admin.post("/admin/pengaturan/pengguna", data=dict(data, awaiting="y")).status_code == 303
    new = db.session.scalar(sa.select(User).where(User.email == "calon@uji.go.id"))
    assert new.opd_id is None and new.active
    assert f'value="{new.id}"' in admin.get(f"/admin/pengaturan/opd/{world.dpupr.id}").get_data(as_text=True)
    resp = admin.post(f"/admin/pengaturan/opd/{world.dpupr.id}/serah-terima",
                      data={"user": new.id, "valid_from": "2027-01-04", "old_account": "detach"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, new.id).opd_id is None  # nothing in reach before 4 January
    run_daily(dt.date(2027, 1, 4), notify=False)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, new.id).opd_id == world.dpupr.id
    assert db.session.get(User, world.liaison.id).opd_id is None

"""The SK register and rencana aksi pages: roles, changes by Kominfo only, the handover notice."""

import datetime as dt

import pytest

from portal.extensions import db


@pytest.fixture
def staff(make):
    return {"kominfo": make.user("kominfo"), "pimpinan": make.user("pimpinan"),
            "ombudsman": make.user("ombudsman"), "opd": make.user("opd", opd=make.opd("DINKES", "Dinas Kesehatan"))}


@pytest.fixture(autouse=True)
def _no_cached_user(app):
    from flask import g

    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.pop("_login_user", None))


def test_readers_read_opd_and_anonymous_do_not(app, client, staff, login_as):
    for url in ("/rapat/sk-tim", "/rapat/rencana-aksi"):
        assert app.test_client().get(url).status_code in (302, 401)
        for role in ("kominfo", "pimpinan", "ombudsman"):
            login_as(staff[role])
            assert client.get(url).status_code == 200, (url, role)
        login_as(staff["opd"])
        assert client.get(url).status_code == 403


def test_only_kominfo_changes_and_never_by_get(client, staff, login_as):
    from portal.meetings.evaluation.models import SkTim

    login_as(staff["pimpinan"])
    data = {"number": "1/2026", "title": "Tim", "decree_date": "2026-01-05", "issuer": "Gubernur",
            "valid_from": "2026-01-05"}
    assert client.post("/rapat/sk-tim", data=data).status_code == 403
    assert client.post("/rapat/rencana-aksi", data={"year": 2026, "title": "RA"}).status_code == 403
    assert client.get("/rapat/sk-tim/1/anggota").status_code == 405
    assert db.session.scalar(db.select(db.func.count()).select_from(SkTim)) == 0


def test_register_sk_members_and_the_handover_notice(client, staff, login_as, make):
    from portal.meetings.evaluation.models import SkTim, TeamRole
    from portal.people.models import Liaison

    login_as(staff["kominfo"])
    r = client.post("/rapat/sk-tim", data={"number": "800/Kep.12/2026", "title": "Tim Koordinasi",
                                           "decree_date": "2026-01-05", "issuer": "Gubernur",
                                           "valid_from": "2026-01-05", "valid_to": ""})
    assert r.status_code == 303
    sk = db.session.scalars(db.select(SkTim)).one()
    dinkes = staff["opd"].opd
    r = client.post(f"/rapat/sk-tim/{sk.id}/anggota", data={"role": "pejabat_penghubung", "name": "Budi",
                                                            "position": "Analis", "opd": str(dinkes.id)})
    assert r.status_code == 303
    client.post(f"/rapat/sk-tim/{sk.id}/anggota", data={"role": "ketua", "name": "Kabid PIKK", "opd": ""})
    db.session.expire_all()
    assert [(m.role, m.name) for m in sk.members] == [(TeamRole.KETUA, "Kabid PIKK"),
                                                     (TeamRole.PEJABAT_PENGHUBUNG, "Budi")]
    html = client.get("/rapat/sk-tim").get_data(as_text=True)
    assert "800/Kep.12/2026" in html and "SK perlu diperbarui" not in html
    # a handover after the decree's date asks for the yearly update
    new = make.user("opd", opd=dinkes, name="Penghubung Baru")
    db.session.add(Liaison(opd=dinkes, user=new, valid_from=dt.date(2026, 2, 2)))
    db.session.commit()
    html = client.get("/rapat/sk-tim").get_data(as_text=True)
    assert "SK perlu diperbarui" in html and "Penghubung Baru" in html
    member = sk.members[0]
    assert client.post(f"/rapat/sk-tim/anggota/{member.id}/hapus").status_code == 303
    db.session.expire_all()
    assert len(sk.members) == 1


def test_rencana_aksi_items_and_progress(client, staff, login_as):
    from portal.meetings.evaluation.models import RencanaAksi

    login_as(staff["kominfo"])
    assert client.post("/rapat/rencana-aksi", data={"year": 2026, "title": "Rencana Aksi 2026",
                                                    "adopted_on": "2026-01-20"}).status_code == 303
    plan = db.session.scalars(db.select(RencanaAksi)).one()
    dinkes = staff["opd"].opd
    client.post(f"/rapat/rencana-aksi/{plan.id}/kegiatan", data={"title": "Bimtek", "due_date": "2026-03-31",
                                                                  "owner": str(dinkes.id)})
    client.post(f"/rapat/rencana-aksi/{plan.id}/kegiatan", data={"title": "Perbarui SK", "due_date": "2026-02-28",
                                                                  "owner": ""})
    db.session.expire_all()
    first, second = plan.items
    assert first.owner_opd == dinkes and second.owner_opd is None
    assert client.post(f"/rapat/rencana-aksi/kegiatan/{first.id}/kemajuan",
                       data={"progress": 100, "note": "Terlaksana"}).status_code == 303
    assert client.post(f"/rapat/rencana-aksi/kegiatan/{second.id}/kemajuan", data={"progress": 140}).status_code == 303
    db.session.expire_all()
    assert first.progress == 100 and first.done_on is not None and first.note == "Terlaksana"
    assert second.progress == 0
    html = client.get("/rapat/rencana-aksi").get_data(as_text=True)
    assert "Rencana Aksi 2026" in html and "1 dari 2 kegiatan selesai" in html


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_changes_need_the_csrf_token(client, staff, login_as):
    login_as(staff["kominfo"])
    assert client.post("/rapat/rencana-aksi", data={"year": 2026, "title": "RA"}).status_code in (302, 303, 400)
    from portal.meetings.evaluation.models import RencanaAksi

    assert db.session.scalar(db.select(db.func.count()).select_from(RencanaAksi)) == 0

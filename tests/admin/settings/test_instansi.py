"""The instansi list complaints are forwarded to: Kominfo adds and deactivates entries (docs/DOMAIN.md §5)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.complaints.models import Instansi
from portal.core.models import AuditLog
from portal.extensions import db


def test_kominfo_adds_and_deactivates_an_instansi(world, make, login_as):
    client = login_as(world.kominfo)
    page = client.get("/admin/pengaturan/instansi")
    assert page.status_code == 200 and "Instansi penerusan" in page.get_data(as_text=True)
    resp = client.post("/admin/pengaturan/instansi", data={"name": "  Kantor Imigrasi Serang ", "kind": "vertikal"})
    assert resp.status_code == 303
    row = db.session.scalar(sa.select(Instansi).where(Instansi.name == "Kantor Imigrasi Serang"))
    assert row is not None and row.active and row.kind == "vertikal"
    # the same name again (any case) is refused
    resp = client.post("/admin/pengaturan/instansi", data={"name": "kantor imigrasi serang", "kind": "vertikal"})
    assert resp.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Instansi)) == 1
    # offered in the forward form while active, not once deactivated
    c = make.complaint(tracking_no="7200001")
    db.session.commit()
    assert "Kantor Imigrasi Serang" in client.get("/admin/laporan/7200001").get_data(as_text=True)
    assert client.post(f"/admin/pengaturan/instansi/{row.id}/status").status_code == 303
    db.session.expire_all()
    assert not db.session.get(Instansi, row.id).active
    form = client.get("/admin/laporan/7200001").get_data(as_text=True).split("action-teruskan", 1)[1]
    assert "Kantor Imigrasi Serang" not in form.split("</form>", 1)[0]
    resp = client.post(f"/admin/laporan/{c.tracking_no}/aksi/teruskan",
                       data={"version": c.version, "instansi": row.id, "reason": "x"})
    assert resp.status_code == 422
    actions = set(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_type == "instansi")))
    assert actions == {"instansi.create", "instansi.deactivate"}


def test_only_kominfo_manages_instansi(world, login_as):
    row = Instansi(name="Kota Cilegon", kind="kabupaten_kota")
    db.session.add(row)
    for user in (world.pimpinan, world.ombudsman, world.liaison):
        client = login_as(user)
        assert client.get("/admin/pengaturan/instansi").status_code == 403
        assert client.post("/admin/pengaturan/instansi", data={"name": "X", "kind": "lainnya"}).status_code == 403
        assert client.post(f"/admin/pengaturan/instansi/{row.id}/status").status_code == 403
    db.session.expire_all()
    assert db.session.get(Instansi, row.id).active

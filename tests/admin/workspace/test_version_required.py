"""Every complaint state change carries the version it was rendered from: missing → 400,
stale → 409, and nothing changes either way."""

from __future__ import annotations

import pytest

from portal.complaints.models import Complaint, Status
from portal.extensions import db
from tests.admin.conftest import recent

ACTIONS = [("verifikasi", {"type": "pengaduan", "category": "", "opd": "DPUPR"}), ("disposisi", {"opd": "DPUPR"}),
           ("tunda", {"reason": "Berkas kurang"}), ("arsip", {"reason": "tidak_jelas"})]


def _fresh(no: str) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(db.select(Complaint).where(Complaint.tracking_no == no))


@pytest.mark.parametrize("version", [None, "", "abc", " "])
@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_action_without_version_is_a_400(world, make, login_as, action, data, version):
    c = make.complaint(tracking_no="7200001", submitted_at=recent(1))
    client = login_as(world.kominfo)
    form = dict(data, ctx="page")
    if version is not None:
        form["version"] = version
    resp = client.post(f"/admin/laporan/7200001/aksi/{action}", data=form)
    assert resp.status_code == 400
    after = _fresh("7200001")
    assert after.status == Status.BELUM_TERVERIFIKASI and after.version == c.version


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_action_with_stale_version_is_a_409(world, make, login_as, action, data):
    c = make.complaint(tracking_no="7200002", submitted_at=recent(1))
    client = login_as(world.kominfo)
    resp = client.post(f"/admin/laporan/7200002/aksi/{action}", data=dict(data, ctx="page", version=c.version + 1))
    assert resp.status_code == 409
    assert _fresh("7200002").status == Status.BELUM_TERVERIFIKASI


def test_bulk_row_without_version_is_a_400(world, make, login_as):
    a = make.complaint(tracking_no="7200003", submitted_at=recent(1))
    b = make.complaint(tracking_no="7200004", submitted_at=recent(1))
    client = login_as(world.kominfo)
    resp = client.post("/admin/massal", data={"action": "verify", "sel": [f"{a.id}:{a.version}", str(b.id)],
                                              "next": "/admin/"})
    assert resp.status_code == 400
    assert _fresh("7200003").status == _fresh("7200004").status == Status.BELUM_TERVERIFIKASI


def test_complaint_page_forms_send_the_version(world, make, login_as):
    c = make.complaint(tracking_no="7200005", submitted_at=recent(1))
    html = login_as(world.kominfo).get("/admin/laporan/7200005").get_data(as_text=True)
    forms = html.count('action="/admin/laporan/7200005/aksi/')
    assert forms >= 3
    assert html.count(f'name="version" type="hidden" value="{c.version}"') + html.count(
        f'type="hidden" name="version" value="{c.version}"') >= forms

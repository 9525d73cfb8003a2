"""Escalation settings: the ladder page and the head-of-OPD contact (Kominfo only, audited)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.complaints import escalation
from portal.core.models import AuditLog
from portal.extensions import db

LADDER = "/admin/pengaturan/eskalasi"


def test_kominfo_sets_the_ladder(world, login_as):
    client = login_as(world.kominfo)
    page = client.get(LADDER).get_data(as_text=True)
    assert "Tangga eskalasi" in page and 'value="2"' in page and 'value="5"' in page
    resp = client.post(LADDER, data={"escalation_liaison": "1", "escalation_head": "3", "escalation_leadership": "8"})
    assert resp.status_code == 303
    assert escalation.ladder() == {"escalation_liaison": 1, "escalation_head": 3, "escalation_leadership": 8}
    audits = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "setting.update")).all()
    assert {a.object_id for a in audits} == {"ESCALATION_LIAISON_DAYS", "ESCALATION_HEAD_DAYS",
                                             "ESCALATION_LEADERSHIP_DAYS"}
    assert 'value="8"' in client.get(LADDER).get_data(as_text=True)


@pytest.mark.parametrize("data", [
    {"escalation_liaison": "3", "escalation_head": "2", "escalation_leadership": "5"},  # out of order
    {"escalation_liaison": "0", "escalation_head": "2", "escalation_leadership": "61"},  # too late
    {"escalation_liaison": "-1", "escalation_head": "2", "escalation_leadership": "5"},
    {"escalation_liaison": "", "escalation_head": "2", "escalation_leadership": "5"},
    {"escalation_liaison": "x", "escalation_head": "2", "escalation_leadership": "5"},
])
def test_a_bad_ladder_is_refused(world, login_as, data):
    client = login_as(world.kominfo)
    resp = client.post(LADDER, data=data)
    assert resp.status_code == 422 and 'class="error"' in resp.get_data(as_text=True)
    assert escalation.ladder() == {"escalation_liaison": 0, "escalation_head": 2, "escalation_leadership": 5}


def test_only_kominfo_sets_the_ladder_or_the_head(world, login_as, make):
    for user in (world.pimpinan, world.ombudsman, world.liaison):
        client = login_as(user)
        assert client.get(LADDER).status_code == 403
        assert client.post(LADDER, data={"escalation_liaison": "1", "escalation_head": "1",
                                         "escalation_leadership": "1"}).status_code == 403
        assert client.post(f"/admin/pengaturan/opd/{world.dpupr.id}/kepala",
                           data={"head_name": "X", "head_email": "x@uji.go.id"}).status_code == 403
    assert escalation.ladder()["escalation_head"] == 2
    assert db.session.get(escalation.OPDHead, world.dpupr.id) is None


def test_anonymous_is_sent_to_sign_in(client, world):
    for resp in (client.get(LADDER), client.post(f"/admin/pengaturan/opd/{world.dpupr.id}/kepala")):
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_head_of_opd_contact_on_the_opd_page(world, login_as):
    client = login_as(world.kominfo)
    url = f"/admin/pengaturan/opd/{world.dpupr.id}"
    assert "Kepala OPD" in client.get(url).get_data(as_text=True)
    resp = client.post(url + "/kepala", data={"head_name": " Ir. Budi ", "head_email": "Kepala.PUPR@Uji.go.id"})
    assert resp.status_code == 303
    head = db.session.get(escalation.OPDHead, world.dpupr.id)
    assert (head.name, head.email) == ("Ir. Budi", "kepala.pupr@uji.go.id")
    assert 'value="Ir. Budi"' in client.get(url).get_data(as_text=True)
    # only one of the two: refused, the page shows the error
    resp = client.post(url + "/kepala", data={"head_name": "Ir. Budi", "head_email": ""})
    assert resp.status_code == 422 and "Isi nama dan email" in resp.get_data(as_text=True)
    resp = client.post(url + "/kepala", data={"head_name": "Ir. Budi", "head_email": "bukan-email"})
    assert resp.status_code == 422
    # both empty: removed
    assert client.post(url + "/kepala", data={"head_name": "", "head_email": ""}).status_code == 303
    db.session.expire_all()
    assert db.session.get(escalation.OPDHead, world.dpupr.id) is None
    changes = [a.changes for a in db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "opd.head")
                                                      .order_by(AuditLog.id))]
    assert changes == [{"head_name": [None, "Ir. Budi"], "head_email": [None, "kepala.pupr@uji.go.id"]},
                       {"head_name": ["Ir. Budi", None], "head_email": ["kepala.pupr@uji.go.id", None]}]
    assert client.post("/admin/pengaturan/opd/99999/kepala", data={}).status_code == 404


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_posts_need_the_csrf_token(world, login_as):
    client = login_as(world.kominfo)
    resp = client.post(LADDER, data={"escalation_liaison": "1", "escalation_head": "1", "escalation_leadership": "1"})
    assert resp.status_code == 400
    assert escalation.ladder()["escalation_head"] == 2

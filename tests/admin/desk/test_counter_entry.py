"""Counter entry at an OPD (docs/DOMAIN.md §13): the liaison enters a complaint received at its own counter; it
goes to Kominfo's verification queue, marked, with who entered it and from which OPD."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.complaints.models import Channel, Complaint, ComplaintEvent, Status
from portal.extensions import db
from tests.admin.desk.test_weight import BUDGET, page_weight

URL = "/admin/opd/laporan-baru"
FORM = {"channel": "tatap_muka", "type": "pengaduan", "title": "Trotoar rusak depan kantor",
        "text": "Warga datang ke loket: trotoar di depan kantor dinas rusak dan membahayakan.",
        "location": "Kota Serang", "name": "Rahmat Hidayat", "phone": "0812 1111 2222", "gender": "L"}


def _entered() -> Complaint:
    return db.session.scalar(sa.select(Complaint).where(Complaint.title == FORM["title"]))


def test_liaison_enters_a_counter_complaint_for_kominfo_to_verify(world, login_as):
    client = login_as(world.user_a)
    page = client.get(URL)
    assert page.status_code == 200 and "Input laporan loket" in page.get_data(as_text=True)
    assert 'name="category"' not in page.get_data(as_text=True)  # Kominfo classifies at verification
    resp = client.post(URL, data={**FORM, "opd": str(world.b.id), "opd_id": str(world.b.id)})
    assert resp.status_code == 303
    c = _entered()
    assert c is not None and c.status == Status.BELUM_TERVERIFIKASI and c.opd_id is None
    assert c.channel == Channel.TATAP_MUKA and c.source == "staff" and c.tracking_no.startswith("PRV-")
    assert c.reporter.name == "Rahmat Hidayat" and c.reporter.phone == "+6281211112222"
    assert c.stage_due_date is not None  # the verification deadline runs as for any new complaint
    [ev] = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)).all()
    assert ev.kind == "created" and ev.actor_id == world.user_a.id
    # its own OPD only: whatever the form says, the account's OPD is recorded
    assert ev.changes == {"channel": [None, "tatap_muka"], "entered_at_opd": [None, "DPUPR"]}
    assert resp.headers["Location"].endswith(f"/admin/opd/laporan-baru/{c.tracking_no}")
    receipt = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert c.tracking_no in receipt and f"/lacak/{c.tracking_no}" in receipt and "data:image/svg+xml" in receipt
    # not the OPD's until Kominfo dispatches it there
    assert client.get(f"/admin/opd/laporan/{c.tracking_no}").status_code == 404


def test_it_shows_in_kominfos_verification_queue_with_a_marker(world, login_as):
    login_as(world.user_a).post(URL, data=FORM)
    c = _entered()
    staff = world.kominfo
    html = login_as(staff).get("/admin/?tab=belum_terverifikasi").get_data(as_text=True)
    row = html.split(f'id="c-{c.id}"', 1)[1].split("</tbody>", 1)[0]
    assert "Diinput di loket DPUPR" in row
    assert "Diinput di loket" not in html.split(f'id="c-{c.id}"', 1)[0]  # the other rows have no marker
    row_html = login_as(staff).get(f"/admin/laporan/{c.tracking_no}/baris", headers={"HX-Request": "true"})
    assert "Diinput di loket DPUPR" in row_html.get_data(as_text=True)
    page = login_as(staff).get(f"/admin/laporan/{c.tracking_no}").get_data(as_text=True)
    assert "entered_at_opd: — → DPUPR" in page  # the created event names the OPD it came from


def test_a_kominfo_entry_has_no_marker(world, login_as):
    client = login_as(world.kominfo)
    assert client.post("/admin/laporan-baru", data={**FORM, "category": ""}).status_code == 303
    c = _entered()
    html = client.get("/admin/?tab=belum_terverifikasi").get_data(as_text=True)
    assert c.tracking_no in html and "Diinput di loket" not in html


def test_validation_keeps_what_was_typed(world, login_as):
    client = login_as(world.user_a)
    resp = client.post(URL, data={**FORM, "text": "", "phone": "123"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Isi laporan wajib diisi." in html and "Rahmat Hidayat" in html
    resp = client.post(URL, data={**FORM, "submitted_at": "2099-01-01T10:00"})
    assert resp.status_code == 422 and "masa depan" in resp.get_data(as_text=True)
    assert _entered() is None


def test_only_the_liaison_who_entered_it_sees_the_receipt(world, login_as):
    login_as(world.user_a).post(URL, data=FORM)
    c = _entered()
    for user in (world.user_b, world.user_a1):
        assert login_as(user).get(f"{URL}/{c.tracking_no}").status_code == 404
    assert login_as(world.user_a).get(f"{URL}/NOPE").status_code == 404


@pytest.mark.parametrize("role", ["kominfo", "pimpinan", "ombudsman"])
def test_other_roles_use_kominfos_own_entry(world, login_as, role):
    client = login_as(getattr(world, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=FORM).status_code == 403
    assert _entered() is None


def test_anonymous_and_an_opd_user_without_an_opd(client, world, login_as, make):
    for resp in (client.get(URL), client.post(URL, data=FORM), client.get(f"{URL}/PRV-2026-000001")):
        assert resp.status_code in (302, 401)
    lone = make.user("opd", opd=None)
    assert login_as(lone).get(URL).status_code == 403
    assert login_as(lone).post(URL, data=FORM).status_code == 403
    assert _entered() is None


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_post_needs_the_csrf_token(world, login_as):
    resp = login_as(world.user_a).post(URL, data=FORM)
    assert resp.status_code == 400 and _entered() is None


def test_phone_friendly_page_weight(world, login_as):
    client = login_as(world.user_a)
    html, total = page_weight(client, URL)
    assert total <= BUDGET, (html, total)
    assert 'name="viewport"' in client.get(URL).get_data(as_text=True)

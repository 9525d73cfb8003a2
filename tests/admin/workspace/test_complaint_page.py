"""The Kominfo complaint page: timeline, deadlines, masked personal data and its logged reveal."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.complaints.models import Attachment, ComplaintEvent
from portal.extensions import db
from tests.admin.conftest import recent

PII = {"name": "Budi Santoso", "nik": "3601234567890123", "phone": "+6281234567890", "email": "budi@contoh.id"}


def _complaint(world, make):
    c = make.complaint(tracking_no="8100001", submitted_at=recent(10), reporter=dict(PII), title="Jalan rusak")
    ops.verify(c, world.kominfo, category=world.road)
    ops.dispatch(c, world.kominfo, world.dpupr, note="Mohon segera")
    ops.add_followup(c, world.liaison, "Sudah dicek ke lokasi.")
    db.session.add(Attachment(complaint=c, original_name="foto.jpg", stored_name="abc123", content_type="image/jpeg",
                              size=2048, sha256="0" * 64))
    db.session.commit()
    return c


@pytest.mark.parametrize("who", ["kominfo", "pimpinan", "ombudsman"])
def test_page_shows_timeline_deadlines_and_masks_pii(world, make, login_as, who):
    _complaint(world, make)
    html = login_as(getattr(world, who)).get("/admin/laporan/8100001").get_data(as_text=True)
    assert "Diverifikasi" in html and "Didisposisikan" in html and "Sudah dicek ke lokasi." in html
    assert "Mohon segera" in html and "foto.jpg" in html and "/admin/lampiran/" in html
    assert "Verifikasi" in html and "Tindak lanjut pertama" in html and "Penyelesaian" in html
    assert "badge-met" in html
    for value in PII.values():
        assert value not in html
    assert "B•" in html and "36" in html
    assert ("Tampilkan data pribadi" in html) == (who != "pimpinan")
    assert ("aksi/disposisi" in html) == (who == "kominfo")


def test_opd_user_cannot_open_the_workspace_page(world, make, login_as):
    _complaint(world, make)
    assert login_as(world.liaison).get("/admin/laporan/8100001").status_code == 403


def test_unknown_complaint_is_404(world, login_as):
    assert login_as(world.kominfo).get("/admin/laporan/0000404").status_code == 404


@pytest.mark.parametrize("who, status", [("kominfo", 200), ("ombudsman", 200), ("pimpinan", 403), ("liaison", 403)])
def test_reveal_is_recorded_and_never_logged(world, make, login_as, caplog, who, status):
    c = _complaint(world, make)
    client = login_as(getattr(world, who))
    with caplog.at_level(logging.DEBUG):
        resp = client.post("/admin/laporan/8100001/ungkap", data={"purpose": "Konfirmasi lokasi"})
    assert resp.status_code == status
    events = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.kind == "reveal")).all()
    if status == 200:
        html = resp.get_data(as_text=True)
        assert all(v in html for v in PII.values())
        [ev] = events
        assert ev.actor_id == getattr(world, who).id and ev.is_public is False and ev.note == "Konfirmasi lokasi"
        # the reveal does not change the complaint's version (no false conflicts)
        db.session.expire_all()
        assert db.session.get(type(c), c.id).version == c.version
    else:
        assert events == []
    assert not any(v in caplog.text for v in PII.values())


def test_reveal_via_htmx_returns_the_reporter_card(world, make, login_as):
    _complaint(world, make)
    resp = login_as(world.kominfo).post("/admin/laporan/8100001/ungkap", headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert "<html" not in html and PII["nik"] in html


def test_suggestions_are_shown_but_not_applied(world, make, login_as):
    make.complaint(tracking_no="8100002", submitted_at=recent(1), title="Lubang di jalan",
                   text="Jalan berlubang dan aspal mengelupas di depan sekolah")
    html = login_as(world.kominfo).get("/admin/laporan/8100002").get_data(as_text=True)
    assert "Saran otomatis" in html and "kategori_saran=" in html and "opd_saran=DPUPR" in html
    html = login_as(world.kominfo).get(f"/admin/laporan/8100002?kategori_saran={world.road.id}").get_data(as_text=True)
    assert f'value="{world.road.id}" selected' in html

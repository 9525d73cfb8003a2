"""Forwarding out (no wrong door, docs/DOMAIN.md §5): Kominfo forwards an out-of-authority complaint to another
instansi; it leaves the province's queues and Total, and every public output says where it went."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.complaints.forwarding import DEFAULT_INSTANSI, ensure_defaults, forward
from portal.complaints.models import Complaint, ComplaintEvent, Instansi, Status
from portal.complaints.operations import TransitionError
from portal.core.timeutil import today_wib
from portal.extensions import db
from tests.admin.conftest import recent

S = Status


def fresh(no: str) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == no))


def instansi(name: str = "Kota Serang") -> Instansi:
    ensure_defaults()
    return db.session.scalar(sa.select(Instansi).where(Instansi.name == name))


def post(client, no, action, version, **data):
    return client.post(f"/admin/laporan/{no}/aksi/{action}", data={"version": version, **data})


def test_defaults_seed_banten_and_the_vertical_agencies(app):
    assert ensure_defaults() == len(DEFAULT_INSTANSI)
    assert ensure_defaults() == 0  # idempotent
    names = set(db.session.scalars(sa.select(Instansi.name)))
    for name in ("Kabupaten Pandeglang", "Kabupaten Lebak", "Kabupaten Tangerang", "Kabupaten Serang",
                 "Kota Tangerang", "Kota Cilegon", "Kota Serang", "Kota Tangerang Selatan",
                 "Admin Nasional SP4N-LAPOR! (KemenPANRB)", "Ombudsman RI Perwakilan Banten",
                 "PLN UID Banten", "BPJS Kesehatan", "BPJS Ketenagakerjaan", "Kepolisian Daerah Banten"):
        assert name in names


def test_returned_complaint_is_forwarded_from_the_page(world, make, login_as):
    """An OPD's "bukan kewenangan" return flows back to Kominfo, who forwards it out."""
    c = make.complaint(tracking_no="7100001", submitted_at=recent(4), opd=world.dpupr,
                       status="belum_ditindaklanjuti", dispatched_at=recent(3), verified_at=recent(3))
    ops.return_to_admin(c, world.liaison, "Jalan kabupaten, bukan jalan provinsi")
    dest = instansi("Kabupaten Serang")
    client = login_as(world.kominfo)
    page = client.get("/admin/laporan/7100001").get_data(as_text=True)
    assert "action-teruskan" in page and "Kabupaten Serang" in page
    # no reason: refused, nothing changes
    resp = post(client, "7100001", "teruskan", c.version, instansi=dest.id, reason="")
    assert resp.status_code == 422 and fresh("7100001").status == S.BELUM_DITINDAKLANJUTI
    resp = post(client, "7100001", "teruskan", c.version, instansi=dest.id,
                reason="Ruas jalan kewenangan kabupaten", ctx="page")
    assert resp.status_code == 303
    c = fresh("7100001")
    assert c.status == S.DITERUSKAN and c.forwarded_to_id == dest.id and c.opd_id is None
    assert c.returned_at is None and c.stage_due_date is None and not c.is_open
    ev = db.session.scalars(sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id,
                                                            ComplaintEvent.kind == "forwarded")).one()
    assert ev.actor_id == world.kominfo.id and ev.note == "Ruas jalan kewenangan kabupaten" and ev.is_public
    assert ev.changes["forwarded_to"] == [None, "Kabupaten Serang"]
    assert not ev.note_public  # the reason is internal unless staff publish it
    # it left the province's queues
    client.get("/admin/")  # the flash message is shown once
    for tab in ("belum_terverifikasi", "belum_ditindaklanjuti", "dikembalikan", "terlambat"):
        assert "/admin/laporan/7100001" not in client.get(f"/admin/?tab={tab}").get_data(as_text=True)
    # a forwarded complaint can only be reopened (a mistake), back to screening
    page = client.get("/admin/laporan/7100001").get_data(as_text=True)
    assert "action-teruskan" not in page and "action-buka" in page


def test_forward_date_and_refusals(world, make, app):
    c = make.complaint(tracking_no="7100002", submitted_at=recent(10))
    dest = instansi()
    with app.test_request_context():
        try:
            forward(c, world.kominfo, dest, "x", on=today_wib() + dt.timedelta(days=1))
            raise AssertionError("a future date must be refused")
        except TransitionError:
            pass
        dest.active = False
        try:
            forward(c, world.kominfo, dest, "urusan kota")
            raise AssertionError("an inactive instansi must be refused")
        except TransitionError:
            pass
        dest.active = True
        day = today_wib() - dt.timedelta(days=2)
        forward(c, world.kominfo, dest, "urusan kota", on=day)
        assert c.status == S.DITERUSKAN and c.verified_at is not None  # screening and forwarding: one step
        assert c.forwarded_at.date() == day
        # a complaint the OPD already answered is the OPD's to return first
        answered = make.complaint(tracking_no="7100003", submitted_at=recent(5), opd=world.dpupr,
                                  status="belum_ditindaklanjuti", dispatched_at=recent(4))
        ops.add_followup(answered, world.liaison, "Sedang ditangani")
        try:
            forward(answered, world.kominfo, dest, "x")
            raise AssertionError("Proses must be refused")
        except TransitionError:
            pass
        ops.reopen(c, world.kominfo, note="salah teruskan")
        assert c.status == S.BELUM_TERVERIFIKASI and c.forwarded_to_id is None


def test_archive_no_longer_offers_out_of_authority(world, make, login_as):
    c = make.complaint(tracking_no="7100004", submitted_at=recent(1))
    client = login_as(world.kominfo)
    page = client.get(f"/admin/laporan/{c.tracking_no}").get_data(as_text=True)
    assert 'value="di_luar_kewenangan"' not in page
    assert "Di luar kewenangan" not in page.split("action-arsip", 1)[1].split("</form>", 1)[0]


def test_only_kominfo_forwards(world, make, login_as):
    c = make.complaint(tracking_no="7100005", submitted_at=recent(1))
    dest = instansi()
    for user in (world.pimpinan, world.ombudsman, world.liaison):
        client = login_as(user)
        resp = post(client, "7100005", "teruskan", c.version, instansi=dest.id, reason="x")
        assert resp.status_code in (403, 404)
    assert fresh("7100005").status == S.BELUM_TERVERIFIKASI


def test_public_outputs_say_where_it_went_and_recap_counts_it_apart(world, make, login_as, client):
    day = dt.datetime(2025, 2, 3, 3, tzinfo=dt.UTC)
    dest = instansi("PLN UID Banten")
    fwd = make.complaint(tracking_no="7100010", submitted_at=day, title="Listrik padam di Cilegon")
    secret = make.complaint(tracking_no="7100011", submitted_at=day, is_confidential=True, title="Rahasia")
    make.complaint(tracking_no="7100012", submitted_at=day, status="proses", opd=world.dpupr,
                   verified_at=day, dispatched_at=day, first_followup_at=day)
    make.complaint(tracking_no="7100013", submitted_at=day, status="arsip", verified_at=day)
    staff = login_as(world.kominfo)
    assert post(staff, "7100010", "teruskan", fwd.version, instansi=dest.id, reason="Urusan PLN",
                public_note="y").status_code == 303
    assert post(staff, "7100011", "teruskan", secret.version, instansi=dest.id,
                reason="Urusan PLN").status_code == 303
    staff.get("/logout")
    # the API: forwarded_to, closed
    data = client.get("/api/v1/complaints/7100010").get_json()
    assert data["status"] == "diteruskan" and data["forwarded_to"] == "PLN UID Banten" and data["closed"]
    assert data["opd"] is None
    assert any(e["kind"] == "forwarded" and e.get("forwarded_to") == "PLN UID Banten" for e in data["timeline"])
    # confidential: the destination is public, the content is not
    data = client.get("/api/v1/complaints/7100011").get_json()
    assert data["forwarded_to"] == "PLN UID Banten" and "title" not in data
    # the tracking page
    page = client.get("/lacak/7100010").get_data(as_text=True)
    assert "diteruskan ke PLN UID Banten" in page and "Diteruskan ke" in page
    # Open311: closed, with the destination (and the reason staff published)
    req = client.get("/open311/v2/requests/7100010.json").get_json()[0]
    assert req["status"] == "closed" and req["status_notes"].startswith("Diteruskan ke PLN UID Banten")
    assert "Urusan PLN" in req["status_notes"]
    req = client.get("/open311/v2/requests/7100011.json").get_json()[0]
    assert req["status"] == "closed" and req["status_notes"] == "Diteruskan ke PLN UID Banten"
    closed = client.get("/open311/v2/requests.json?status=closed&start_date=2025-02-01T00:00:00Z"
                        "&end_date=2025-02-28T00:00:00Z").get_json()
    assert {"7100010", "7100011"} <= {r["service_request_id"] for r in closed}
    # the recap: outside Total like Arsip, counted as its own "diteruskan"; the same everywhere
    from portal.complaints import stats, summary

    live = stats.recap(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    rows = summary.recap(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    api = client.get("/api/v1/stats?from=2025-02-01&to=2025-02-28").get_json()
    for r in (live, rows, api):
        assert r["diteruskan"] == 2 and r["arsip"] == 1 and r["proses"] == 1
        assert r["total"] == 1 and r["persen_tl"] == 100.0
    page = client.get("/?from=2025-02-01&to=2025-02-28").get_data(as_text=True)
    assert "Diteruskan" in page


def test_indicators_do_not_count_forwarded_as_unfinished(world, make, app):
    from portal.complaints import indicators

    day = dt.datetime(2025, 2, 3, 3, tzinfo=dt.UTC)
    c = make.complaint(tracking_no="7100020", submitted_at=day)
    make.complaint(tracking_no="7100021", submitted_at=day)
    with app.test_request_context():
        forward(c, world.kominfo, instansi(), "urusan kota", on=dt.date(2025, 2, 4))
    db.session.flush()
    out = indicators.monitoring(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert out["2"] == 2  # received: both
    assert out["9"] == 1  # unfinished: only the one still open

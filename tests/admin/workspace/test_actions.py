"""Inline actions: every transition allowed and refused, optimistic locking, roles, bulk."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.complaints.models import Complaint, ComplaintEvent, FollowUp, Status
from portal.core.models import OutboxMessage
from portal.extensions import db
from tests.admin.conftest import recent
from tests.conftest import login

HX = {"HX-Request": "true"}
S = Status


def fresh(tracking_no: str) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == tracking_no))


def kinds(c: Complaint) -> list[str]:
    return [e.kind for e in db.session.scalars(
        sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id))]


def post(client, no, action, version, headers=None, **data):
    return client.post(f"/admin/laporan/{no}/aksi/{action}", data={"version": version, **data},
                       headers=headers or {})


def test_verify_sets_category_norm_and_due_date(world, make, login_as):
    c = make.complaint(tracking_no="7000001", submitted_at=recent(1))
    client = login_as(world.kominfo)
    resp = post(client, "7000001", "verifikasi", c.version, type="pengaduan", category=world.road.id, norm="",
                opd="DPUPR", ctx="page")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/admin/laporan/7000001")
    c = fresh("7000001")
    # verified and forwarded in one step: the public status and timeline agree
    assert c.status == S.BELUM_DITINDAKLANJUTI and c.verified_at is not None and c.opd_id == world.dpupr.id
    assert c.dispatched_at is not None and c.category_id == world.road.id and c.norm_days == 60
    assert kinds(c) == ["verified", "dispatched"]
    public = [e.kind for e in c.events if e.is_public]
    assert public == ["dispatched"]
    # an information request gets 5 working days whatever its category
    c2 = make.complaint(tracking_no="7000002", submitted_at=recent(1))
    post(client, "7000002", "verifikasi", c2.version, type="permintaan_informasi", category=world.road.id,
         norm="", opd="DPUPR")
    c2 = fresh("7000002")
    assert c2.norm_days == 5 and c2.type.value == "permintaan_informasi"
    # another norm for it needs a reason
    c3 = make.complaint(tracking_no="7000005", submitted_at=recent(1))
    db.session.commit()
    resp = post(client, "7000005", "verifikasi", c3.version, type="permintaan_informasi", category="", norm="14",
                opd="DPUPR")
    assert resp.status_code == 422 and fresh("7000005").status == S.BELUM_TERVERIFIKASI
    post(client, "7000005", "verifikasi", fresh("7000005").version, type="permintaan_informasi", category="",
         norm="14", opd="DPUPR", note="Perlu data dari tiga dinas")
    assert fresh("7000005").norm_days == 14


def test_verify_needs_an_opd(world, make, login_as):
    c = make.complaint(tracking_no="7000006", submitted_at=recent(1))
    client = login_as(world.kominfo)
    resp = post(client, "7000006", "verifikasi", c.version, type="pengaduan", category="", ctx="page")
    assert resp.status_code == 422 and fresh("7000006").verified_at is None


def test_verify_twice_is_refused(world, make, login_as):
    c = make.complaint(tracking_no="7000003", submitted_at=recent(1))
    client = login_as(world.kominfo)
    post(client, "7000003", "verifikasi", c.version, type="pengaduan", category="", opd="DPUPR")
    c = fresh("7000003")
    c.status = S.BELUM_DITINDAKLANJUTI
    db.session.commit()
    resp = post(client, "7000003", "verifikasi", fresh("7000003").version, type="pengaduan", category="",
                opd="DPUPR")
    assert resp.status_code == 422
    assert "Tindakan tidak dapat dilakukan" in resp.get_data(as_text=True), resp.get_data(as_text=True)[2000:6000]


def test_dispatch_from_queue_with_htmx_returns_row_and_counts(world, make, login_as):
    c = make.complaint(tracking_no="7000004", submitted_at=recent(1), category=world.road)
    client = login_as(world.kominfo)
    resp = post(client, "7000004", "disposisi", c.version, headers=HX, opd="DPUPR", ctx="queue",
                next="/admin/?tab=belum_terverifikasi")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="c-' in html and "didisposisikan ke Dinas Pekerjaan Umum" in html
    # the counts follow: the response swaps in a loader that fetches them (out of band) at once
    loader = re.search(r'<div id="counts-loader" hx-swap-oob="true" hx-get="([^"]+)" hx-trigger="load"', html)
    assert loader, html
    counts = client.get(loader.group(1).replace("&amp;", "&"), headers=HX).get_data(as_text=True)
    assert 'id="count-belum_terverifikasi" hx-swap-oob="true">0<' in counts
    assert 'id="count-belum_ditindaklanjuti" hx-swap-oob="true">1<' in counts
    c = fresh("7000004")
    assert c.status == S.BELUM_DITINDAKLANJUTI and c.opd.code == "DPUPR" and c.dispatched_at
    assert kinds(c) == ["dispatched"]
    # the liaison got an e-mail in the outbox, with no personal data
    msgs = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "dispatch")).all()
    assert [m.to_addr for m in msgs] == ["penghubung.dpupr@uji.go.id"]
    assert "7000004" in msgs[0].subject


def test_dispatch_without_js_redirects_back_to_the_queue(world, make, login_as):
    c = make.complaint(tracking_no="7000005", submitted_at=recent(1))
    client = login_as(world.kominfo)
    resp = post(client, "7000005", "disposisi", c.version, opd="DINKES", ctx="queue",
                next="/admin/?tab=belum_terverifikasi&opd=DINKES")
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/admin/?tab=belum_terverifikasi&opd=DINKES"
    # an unsafe next is ignored
    c2 = make.complaint(tracking_no="7000006", submitted_at=recent(1))
    resp = post(client, "7000006", "disposisi", c2.version, opd="DINKES", ctx="queue", next="https://evil.example/")
    assert resp.headers["Location"].endswith("/admin/laporan/7000006")


def test_redispatch_of_returned_complaint(world, make, login_as):
    c = make.complaint(tracking_no="7000007", submitted_at=recent(5))
    ops.dispatch(c, world.kominfo, world.dinkes)
    ops.return_to_admin(c, world.liaison, "Bukan kewenangan Dinkes")
    db.session.commit()
    client = login_as(world.kominfo)
    assert "#7000007" in client.get("/admin/?tab=dikembalikan").get_data(as_text=True)
    resp = post(client, "7000007", "disposisi", fresh("7000007").version, opd="DPUPR")
    assert resp.status_code == 303
    c = fresh("7000007")
    assert c.opd.code == "DPUPR" and c.returned_at is None
    # the same OPD again is refused
    resp = post(client, "7000007", "disposisi", c.version, opd="DPUPR")
    assert resp.status_code == 422


def test_dispatch_to_unknown_opd_is_refused(world, make, login_as):
    c = make.complaint(tracking_no="7000008", submitted_at=recent(1))
    resp = post(login_as(world.kominfo), "7000008", "disposisi", c.version, opd="NOPE")
    assert resp.status_code == 422
    assert fresh("7000008").status == S.BELUM_TERVERIFIKASI


def test_postpone_needs_reason_and_tells_reporter(world, make, login_as):
    c = make.complaint(tracking_no="7000009", submitted_at=recent(1), reporter={"name": "Siti", "email": "siti@contoh.id"})
    client = login_as(world.kominfo)
    assert post(client, "7000009", "tunda", c.version, reason="  ").status_code == 422
    resp = post(client, "7000009", "tunda", c.version, reason="KTP belum dilampirkan")
    assert resp.status_code == 303
    c = fresh("7000009")
    assert c.status == S.TUNDA and c.status_reason == "KTP belum dilampirkan"
    msg = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "postpone")).one()
    assert msg.to_addr == "siti@contoh.id" and "KTP belum dilampirkan" in msg.body_text


def test_archive_reasons_and_duplicate_links(world, make, login_as):
    original = make.complaint(tracking_no="7000010", submitted_at=recent(3))
    dup = make.complaint(tracking_no="7000011", submitted_at=recent(1))
    other = make.complaint(tracking_no="7000012", submitted_at=recent(1))
    client = login_as(world.kominfo)
    # duplicate without the other's number is refused
    assert post(client, "7000011", "arsip", dup.version, reason="duplikat").status_code == 422
    assert post(client, "7000011", "arsip", dup.version, reason="duplikat", duplicate_of="9999999").status_code == 422
    resp = post(client, "7000011", "arsip", dup.version, reason="duplikat", duplicate_of="7000010")
    assert resp.status_code == 303
    dup = fresh("7000011")
    assert dup.status == S.ARSIP and dup.duplicate_of_id == original.id
    assert "#7000010" in dup.status_reason
    page = client.get("/admin/laporan/7000010").get_data(as_text=True)
    assert "/admin/laporan/7000011" in page
    # out of authority is forwarded, never archived (docs/DOMAIN.md §5): the reason is no longer offered
    resp = post(client, "7000012", "arsip", other.version, reason="di_luar_kewenangan", note="urusan kabupaten")
    assert resp.status_code == 422 and fresh("7000012").status == S.BELUM_TERVERIFIKASI
    resp = post(client, "7000012", "arsip", other.version, reason="tidak_jelas", note="tidak terbaca")
    assert fresh("7000012").status_reason == "Laporan tidak jelas / tidak dapat dipahami: tidak terbaca"


def test_reopen_and_finish(world, make, login_as):
    c = make.complaint(tracking_no="7000013", submitted_at=recent(3), status="arsip")
    client = login_as(world.kominfo)
    assert post(client, "7000013", "buka", c.version, note="Ternyata jelas").status_code == 303
    assert fresh("7000013").status == S.BELUM_TERVERIFIKASI
    # finish needs a follow-up
    d = make.complaint(tracking_no="7000014", submitted_at=recent(3), status="belum_ditindaklanjuti", opd=world.dpupr)
    db.session.commit()
    assert post(client, "7000014", "selesai", d.version).status_code == 422
    d = fresh("7000014")
    ops.add_followup(d, world.liaison, "Sudah diperbaiki")
    db.session.commit()
    d = fresh("7000014")
    assert post(client, "7000014", "selesai", d.version).status_code == 303
    d = fresh("7000014")
    assert d.status == S.SELESAI and d.finished_at
    assert post(client, "7000014", "buka", d.version).status_code == 303
    assert fresh("7000014").status == S.PROSES
    # reopening an open complaint is refused
    assert post(client, "7000014", "buka", fresh("7000014").version).status_code == 422


def test_unknown_action_is_404(world, make, login_as):
    c = make.complaint(tracking_no="7000015", submitted_at=recent(1))
    assert post(login_as(world.kominfo), "7000015", "hapus", c.version).status_code == 404
    assert post(login_as(world.kominfo), "0000000", "verifikasi", 1).status_code == 404


@pytest.mark.parametrize("who", ["pimpinan", "ombudsman", "liaison"])
def test_only_kominfo_acts(world, make, login_as, who):
    c = make.complaint(tracking_no="7000016", submitted_at=recent(1))
    client = login_as(getattr(world, who))
    for action, data in (("verifikasi", {"type": "pengaduan"}), ("disposisi", {"opd": "DPUPR"}),
                         ("tunda", {"reason": "x"}), ("arsip", {"reason": "tidak_jelas"}), ("buka", {}),
                         ("selesai", {})):
        assert post(client, "7000016", action, c.version, **data).status_code == 403
    assert client.post("/admin/massal", data={"action": "verify", "sel": f"{c.id}:1"}).status_code == 403
    assert fresh("7000016").status == S.BELUM_TERVERIFIKASI


def test_conflict_second_actor_gets_409_and_nothing_changes(world, make, app):
    c = make.complaint(tracking_no="7000017", submitted_at=recent(1))
    db.session.commit()
    version = c.version
    first, second = app.test_client(), app.test_client()
    login(first, world.kominfo)
    login(second, world.kominfo2)
    # both loaded the same page (same version); the first dispatches
    assert post(first, "7000017", "disposisi", version, opd="DPUPR").status_code == 303
    before = fresh("7000017")
    n_events = len(kinds(before))
    # the second archives on the stale version: refused, current state shown
    resp = post(second, "7000017", "arsip", version, reason="tidak_jelas", ctx="queue", next="/admin/", headers=HX)
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "baru saja diubah oleh petugas lain" in html and "Belum Ditindaklanjuti" in html
    assert f'name="version" type="hidden" value="{before.version}"' in html or f'value="{before.version}"' in html
    after = fresh("7000017")
    assert after.status == S.BELUM_DITINDAKLANJUTI and after.version == before.version
    assert len(kinds(after)) == n_events
    # without htmx: the complaint page with the conflict, status 409
    resp = post(second, "7000017", "tunda", version, reason="x")
    assert resp.status_code == 409 and "<html" in resp.get_data(as_text=True)
    assert fresh("7000017").status == S.BELUM_DITINDAKLANJUTI


@pytest.mark.db_commits  # a second connection commits between the check and the write
def test_race_between_check_and_commit_is_caught(world, make, login_as, monkeypatch):
    """The form's version matched, but another transaction commits before our flush: StaleDataError → 409."""
    c = make.complaint(tracking_no="7000018", submitted_at=recent(1))
    client = login_as(world.kominfo)
    cid = c.id
    real_check = ops.check_version

    def check_then_race(complaint, expected):
        real_check(complaint, expected)
        with db.engine.begin() as conn:  # a second worker wins the race
            conn.execute(sa.text("UPDATE complaint SET version = version + 1, status_reason = 'lain' WHERE id = :id"),
                         {"id": cid})

    monkeypatch.setattr(ops, "check_version", check_then_race)
    resp = post(client, "7000018", "tunda", c.version, reason="Berkas kurang", headers=HX, ctx="queue", next="/admin/")
    assert resp.status_code == 409
    c = fresh("7000018")
    assert c.status == S.BELUM_TERVERIFIKASI and c.status_reason == "lain"
    assert kinds(c) == []


def test_bulk_dispatch_with_a_stale_row(world, make, login_as):
    a = make.complaint(tracking_no="7100001", submitted_at=recent(1))
    b = make.complaint(tracking_no="7100002", submitted_at=recent(2))
    arch = make.complaint(tracking_no="7100003", submitted_at=recent(2), status="arsip")
    client = login_as(world.kominfo)
    resp = client.post("/admin/massal", data={
        "action": "dispatch", "opd": "DINKES", "next": "/admin/", "konfirmasi": "1",
        "sel": [f"{a.id}:{a.version}", f"{b.id}:{b.version + 5}", f"{arch.id}:{arch.version}"]}, headers=HX)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "1 laporan didisposisikan ke Dinas Kesehatan" in html
    assert "#7100002 (diubah petugas lain)" in html and "#7100003" in html
    assert fresh("7100001").opd.code == "DINKES"
    assert fresh("7100002").status == S.BELUM_TERVERIFIKASI
    assert fresh("7100003").status == S.ARSIP


def test_bulk_verify_postpone_archive_without_js(world, make, login_as):
    rows = [make.complaint(tracking_no=f"71000{i}0", submitted_at=recent(1)) for i in range(3)]
    client = login_as(world.kominfo)
    sel = [f"{c.id}:{c.version}" for c in rows]
    resp = client.post("/admin/massal", data={"action": "verify", "sel": sel, "opd": "DPUPR", "konfirmasi": "1",
                                              "next": "/admin/?kanal=sms"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/?kanal=sms"
    assert all(fresh(c.tracking_no).verified_at and fresh(c.tracking_no).status == S.BELUM_DITINDAKLANJUTI
               for c in rows)
    sel = [f"{c.id}:{fresh(c.tracking_no).version}" for c in rows[:2]]
    resp = client.post("/admin/massal", data={"action": "postpone", "sel": sel, "konfirmasi": "1"})
    assert resp.status_code == 303
    assert fresh(rows[0].tracking_no).status == S.BELUM_DITINDAKLANJUTI  # no reason → refused
    client.post("/admin/massal", data={"action": "postpone", "sel": sel, "reason": "Menunggu berkas", "konfirmasi": "1"})
    assert fresh(rows[0].tracking_no).status == S.TUNDA
    c = fresh(rows[2].tracking_no)
    client.post("/admin/massal", data={"action": "archive", "archive_reason": "tidak_jelas", "konfirmasi": "1",
                                       "sel": [f"{c.id}:{c.version}"]})
    assert fresh(rows[2].tracking_no).status == S.ARSIP
    assert client.post("/admin/massal", data={"action": "verify"}).status_code == 303


def _sel(*complaints):
    return [f"{c.id}:{fresh(c.tracking_no).version}" for c in complaints]


def test_bulk_archive_asks_first_with_the_count_and_the_rows(world, make, login_as):
    rows = [make.complaint(tracking_no=f"72000{i}", submitted_at=recent(1), title=f"Judul {i}") for i in range(3)]
    client = login_as(world.kominfo)
    data = {"action": "archive", "archive_reason": "tidak_jelas", "reason": "tanpa isi", "sel": _sel(*rows),
            "next": "/admin/"}
    resp = client.post("/admin/massal", data=data)  # no JavaScript: a page, nothing changed yet
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Arsipkan 3 laporan berikut" in html and all(f"#{c.tracking_no}" in html for c in rows)
    assert 'name="konfirmasi" value="1"' in html and "Ya, arsipkan 3 laporan" in html
    assert all(fresh(c.tracking_no).status == S.BELUM_TERVERIFIKASI for c in rows)
    key = re.search(r'name="kunci" value="([^"]+)"', html).group(1)
    resp = client.post("/admin/massal", data={**data, "konfirmasi": "1", "kunci": key}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert ("3 laporan diarsipkan (alasan: Laporan tidak jelas / tidak dapat dipahami: tanpa isi)." in html)
    assert all(fresh(c.tracking_no).status == S.ARSIP for c in rows)
    # the same confirmation again (a double tap): answered with the first result, nothing done twice
    again = client.post("/admin/massal", data={**data, "konfirmasi": "1", "kunci": key}, headers=HX)
    assert "3 laporan diarsipkan" in again.get_data(as_text=True)
    assert all(kinds(c).count("status") == 1 for c in rows)


def test_bulk_archive_has_no_preselected_reason(world, make, login_as):
    c = make.complaint(tracking_no="7200010", submitted_at=recent(1))
    client = login_as(world.kominfo)
    html = client.get("/admin/").get_data(as_text=True)
    bar = html[html.index('id="bulk-archive"'):]
    bar = bar[:bar.index("</select>")]
    assert 'name="archive_reason"><option value="">' in bar and "selected" not in bar
    resp = client.post("/admin/massal", data={"action": "archive", "sel": _sel(c), "konfirmasi": "1"}, headers=HX)
    assert resp.status_code == 422
    assert "Tindakan massal tidak dijalankan" in resp.get_data(as_text=True)
    assert fresh("7200010").status == S.BELUM_TERVERIFIKASI


def test_bulk_change_can_be_undone_except_rows_changed_since(world, make, login_as):
    a = make.complaint(tracking_no="7200021", submitted_at=recent(1))
    b = make.complaint(tracking_no="7200022", submitted_at=recent(1))
    c = make.complaint(tracking_no="7200023", submitted_at=recent(1), status="belum_ditindaklanjuti",
                       opd=world.dpupr)
    client = login_as(world.kominfo)
    client.post("/admin/massal", data={"action": "archive", "archive_reason": "tidak_jelas", "konfirmasi": "1",
                                       "sel": _sel(a, b, c)})
    assert {fresh(x.tracking_no).status for x in (a, b, c)} == {S.ARSIP}
    html = client.get("/admin/").get_data(as_text=True)
    m = re.search(r'action="(/admin/massal/(\d+)/batal)"', html)
    assert m and "Batalkan tindakan massal ini" in html
    ops.reopen(fresh("7200022"), world.kominfo)  # somebody reopens b meanwhile
    db.session.commit()
    resp = client.post(m.group(1), data={"next": "/admin/"}, headers=HX)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "2 laporan dikembalikan" in text and "#7200022" in text
    assert fresh("7200021").status == S.BELUM_TERVERIFIKASI
    back = fresh("7200023")
    assert back.status == S.BELUM_DITINDAKLANJUTI and back.opd.code == "DPUPR" and back.status_reason is None
    assert kinds(back)[-1] == "status"
    # undone once only
    again = client.post(m.group(1), data={"next": "/admin/"}, follow_redirects=True).get_data(as_text=True)
    assert "sudah dibatalkan" in again
    assert "Batalkan tindakan massal ini" not in client.get("/admin/").get_data(as_text=True)


def test_bulk_undo_only_within_ten_minutes_and_only_ones_own(world, make, login_as):
    import datetime as dt

    from portal.complaints.models import BulkChange

    a = make.complaint(tracking_no="7200031", submitted_at=recent(1))
    other = make.user(role="kominfo", email="lain@kominfo.test")
    client = login_as(world.kominfo)
    client.post("/admin/massal", data={"action": "archive", "archive_reason": "tidak_jelas", "konfirmasi": "1",
                                       "sel": _sel(a)})
    change = db.session.scalar(sa.select(BulkChange))
    login(client, other)
    assert client.post(f"/admin/massal/{change.id}/batal").status_code == 404
    login(client, world.kominfo)
    change.at = change.at - dt.timedelta(minutes=11)
    db.session.commit()
    resp = client.post(f"/admin/massal/{change.id}/batal", headers=HX)
    assert resp.status_code == 409 and "10 menit" in resp.get_data(as_text=True)
    assert fresh("7200031").status == S.ARSIP


def test_closed_tabs_and_a_search_across_every_status(world, make, login_as):
    make.complaint(tracking_no="7200041", submitted_at=recent(1), status="arsip", title="Pohon tumbang arsip")
    make.complaint(tracking_no="7200042", submitted_at=recent(1), status="selesai", title="Pohon tumbang selesai",
                   opd=world.dpupr)
    make.complaint(tracking_no="7200043", submitted_at=recent(1), title="Pohon tumbang baru")
    client = login_as(world.kominfo)
    html = client.get("/admin/?tab=arsip").get_data(as_text=True)
    assert "7200041" in html and "7200042" not in html and "7200043" not in html
    html = client.get("/admin/?tab=selesai").get_data(as_text=True)
    assert "7200042" in html and "7200041" not in html
    html = client.get("/admin/?tab=semua&q=pohon").get_data(as_text=True)
    assert all(no in html for no in ("7200041", "7200042", "7200043"))
    html = client.get("/admin/?tab=semua&q=7200041&hitung=1").get_data(as_text=True)
    assert 'id="count-arsip">1<' in html and 'id="count-semua">1<' in html


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_actions_need_csrf(world, make, login_as):
    c = make.complaint(tracking_no="7000019", submitted_at=recent(1))
    client = login_as(world.kominfo)
    resp = post(client, "7000019", "disposisi", c.version, opd="DPUPR")
    assert resp.status_code == 400
    assert fresh("7000019").status == S.BELUM_TERVERIFIKASI


def test_action_panel_and_suggestion_click(world, make, login_as):
    make.complaint(tracking_no="7000020", submitted_at=recent(1), title="Jalan berlubang",
                       text="Jalan provinsi berlubang dan aspal amblas")
    client = login_as(world.kominfo)
    resp = client.get("/admin/laporan/7000020/baris?panel=1&next=/admin/", headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html
    # verification and dispatch are one action for an unverified complaint
    assert "aksi/verifikasi" in html and "aksi/disposisi" not in html and "aksi/selesai" not in html
    assert "Infrastruktur &gt; Jalan Rusak" in html and "kategori_saran=" in html
    # a suggestion click pre-selects, nothing is saved
    resp = client.get(f"/admin/laporan/7000020/baris?panel=1&next=/admin/&kategori_saran={world.road.id}&opd_saran=DPUPR",
                      headers=HX)
    html = resp.get_data(as_text=True)
    assert f'value="{world.road.id}" selected' in html and 'value="DPUPR" selected' in html
    assert fresh("7000020").category_id is None
    # without htmx the row URL goes to the complaint page
    resp = client.get("/admin/laporan/7000020/baris?panel=1")
    assert resp.status_code == 302 and "/admin/laporan/7000020" in resp.headers["Location"]


def test_followup_unaffected(world, make):
    assert FollowUp.__tablename__ == "followup"


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_second_identical_action_post_acts_once_and_shows_the_first_result(world, make, login_as, headers):
    c = make.complaint(tracking_no="7300001", submitted_at=recent(1))
    client = login_as(world.kominfo)
    page = client.get("/admin/laporan/7300001").get_data(as_text=True)
    form = page[page.index('action="/admin/laporan/7300001/aksi/tunda"'):]
    key = re.search(r'name="kunci" value="([^"]+)"', form).group(1)
    extra = {"ctx": "queue", "next": "/admin/"} if headers else {"ctx": "page"}
    data = {"version": c.version, "kind": "lainnya", "reason": "Menunggu berkas", "kunci": key, **extra}
    first = client.post("/admin/laporan/7300001/aksi/tunda", data=data, headers=headers)
    second = client.post("/admin/laporan/7300001/aksi/tunda", data=data, headers=headers)
    assert first.status_code == second.status_code == (200 if headers else 303)
    if headers:
        assert "ditunda" in second.get_data(as_text=True)
    else:
        assert second.headers["Location"] == first.headers["Location"]
        assert "ditunda" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert kinds(fresh("7300001")).count("status") == 1


def test_busy_state_comes_from_the_stylesheet_not_htmx_inline_styles(world, login_as, app):
    from pathlib import Path

    html = login_as(world.kominfo).get("/admin/").get_data(as_text=True)
    assert '"includeIndicatorStyles": false' in html
    assert "hx-disabled-elt=\"find button[type='submit']\"" in html  # the bulk bar
    css = (Path(app.static_folder) / "css" / "portal.css").read_text()
    assert "form.htmx-request [type=\"submit\"]" in css and "button[disabled]" in css

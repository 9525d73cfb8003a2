"""The OPD desk: home, complaint page, follow-ups, Selesai, return, templates, conflicts, downloads."""

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.complaints import operations as ops
from portal.complaints.models import AnswerTemplate, Attachment, Complaint, ComplaintEvent, FollowUp, Status
from portal.extensions import db
from tests.admin.desk.conftest import EXE_BYTES, jpeg_with_gps, pdf_bytes, png_bytes

HX = {"HX-Request": "true"}


def _url(c, action=""):
    return f"/admin/opd/laporan/{c.tracking_no}{action}"


def _post_followup(client, c, text="Sudah ditinjau oleh tim UPT pada 3 Februari.", status="proses", files=(),
                   version=None, headers=None):
    data = {"text": text, "status": status, "version": str(c.version if version is None else version)}
    if files:
        data["files"] = [(io.BytesIO(d), n) for d, n in files]
    return client.post(_url(c, "/tindak-lanjut"), data=data, content_type="multipart/form-data",
                       headers=headers or {})


def _reload(c):
    db.session.expire_all()
    return db.session.get(Complaint, c.id)


# --- Home ---------------------------------------------------------------------------------------


def test_home_lists_own_and_units_open_complaints_only(world, login_as):
    client = login_as(world.user_a)
    html = client.get("/admin/opd").get_data(as_text=True)
    assert world.ca.title in html and world.ca1.title in html
    assert world.cb.title not in html and world.cb.tracking_no not in html


def test_home_of_a_unit_shows_only_the_unit(world, login_as):
    html = login_as(world.user_a1).get("/admin/opd").get_data(as_text=True)
    assert world.ca1.title in html and world.ca.title not in html


def test_home_groups_by_stage_overdue_first(world, make, login_as):
    import datetime as dt

    old = make.complaint(title="Sudah lama sekali", submitted_at=dt.datetime(2024, 1, 2, 1, tzinfo=dt.UTC))
    ops.dispatch(old, world.kominfo, world.a)
    old.dispatched_at = dt.datetime(2024, 1, 3, 1, tzinfo=dt.UTC)
    ops.refresh_due_date(old)
    fresh = make.complaint(title="Baru masuk hari ini")
    ops.dispatch(fresh, world.kominfo, world.a)
    tunda = make.complaint(title="Menunggu berkas", status="tunda", opd=world.a)
    done = make.complaint(title="Sudah beres", status="selesai", opd=world.a)
    html = login_as(world.user_a).get("/admin/opd").get_data(as_text=True)
    belum = html.index('id="tahap-belum_ditindaklanjuti"')
    proses = html.index('id="tahap-proses"')
    assert belum < html.index(old.title) < html.index(fresh.title) < proses
    assert html.index(world.ca.title) > proses  # has a follow-up: Proses
    assert html.index(tunda.title) > html.index('id="tahap-tunda"')
    assert done.title not in html
    assert "badge-overdue" in html[belum:proses]
    assert re.search(r"Tindak lanjut pertama: \d+ \w+ 2024", html)


def test_home_pages_a_long_stage(world, make, login_as, monkeypatch):
    from portal.admin.desk import routes as opd_desk

    monkeypatch.setattr(opd_desk, "OVERVIEW_SIZE", 2)
    monkeypatch.setattr(opd_desk, "PAGE_SIZE", 2)
    for i in range(3):
        ops.dispatch(make.complaint(title=f"Banyak {i}"), world.kominfo, world.a)
    client = login_as(world.user_a)
    html = client.get("/admin/opd").get_data(as_text=True)
    assert "Lihat semua (4)" in html
    html2 = client.get("/admin/opd?tahap=belum_ditindaklanjuti&hal=2").get_data(as_text=True)
    assert "Halaman 2 dari 2" in html2 and 'id="tahap-proses"' not in html2


@pytest.mark.parametrize("role", ["kominfo", "pimpinan", "ombudsman"])
def test_other_roles_do_not_use_the_desk(world, login_as, role):
    client = login_as(getattr(world, role))
    assert client.get("/admin/opd").status_code == 403
    assert client.get(_url(world.ca)).status_code == 403


def test_anonymous_visitor_is_sent_to_login(world, client):
    resp = client.get(_url(world.ca))
    assert resp.status_code in (302, 401)


# --- Complaint page -----------------------------------------------------------------------------


def test_complaint_page_shows_content_deadlines_timeline(world, login_as):
    c = world.ca
    c.location = "Kec. Ciruas, Kab. Serang"
    ops.record_event(c, "reveal", world.kominfo, note="identitas dibuka untuk audit")
    ops.record_event(c, "note", world.kominfo, note="catatan internal Kominfo")
    db.session.commit()
    html = login_as(world.user_a).get(_url(c)).get_data(as_text=True)
    for text in (c.title, c.text, "Kec. Ciruas", "Tindak lanjut pertama", "Penyelesaian", "Didisposisikan",
                 "Tindak lanjut awal DPUPR", "bukti-DPUPR.png", "Pelapor ca", "ca@warga.id"):
        assert text in html, text
    assert "identitas dibuka" not in html and "catatan internal" not in html
    assert f'href="/admin/lampiran/{world.att_a.id}"' in html


def test_anonymous_reporter_hidden_from_the_opd(world, login_as):
    world.ca.is_anonymous = True
    db.session.commit()
    html = login_as(world.user_a).get(_url(world.ca)).get_data(as_text=True)
    assert "Pelapor ca" not in html and "ca@warga.id" not in html and "+6281200000000" not in html
    assert "Anonim" in html


# --- Follow-ups ---------------------------------------------------------------------------------


def test_followup_without_attachment_moves_to_proses(world, login_as):
    c = world.ca1
    resp = _post_followup(login_as(world.user_a1), c)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(_url(c))
    c = _reload(c)
    assert c.status == Status.PROSES and c.first_followup_at is not None
    fu = c.followups[-1]
    assert fu.author_id == world.user_a1.id and fu.opd_id == world.a1.id and fu.attachments == []
    ev = c.events[-1]
    assert ev.kind == "followup" and ev.actor_id == world.user_a1.id and ev.to_status == Status.PROSES


def test_followup_with_attachments(world, login_as, app):
    c = world.ca1
    resp = _post_followup(login_as(world.user_a1), c, files=[(pdf_bytes(), "berita acara.pdf"),
                                                              (jpeg_with_gps(), "lokasi.JPG")])
    assert resp.status_code == 303
    fu = _reload(c).followups[-1]
    names = sorted(a.original_name for a in fu.attachments)
    assert names == ["berita acara.pdf", "lokasi.jpg"]
    jpeg = next(a for a in fu.attachments if a.content_type == "image/jpeg")
    stored = Path(app.config["UPLOAD_DIR"]) / jpeg.stored_name
    with Image.open(stored) as img:  # read the stored file back: no EXIF, no GPS
        assert not img.getexif() and "exif" not in img.info
    assert b"Kamera Uji" not in stored.read_bytes()


@pytest.mark.parametrize("data, name, message", [
    (EXE_BYTES, "laporan.pdf", "bukan PDF, JPEG atau PNG"),
    (b"hanya teks\n" * 20, "foto.png", "bukan PDF, JPEG atau PNG"),
    (b"", "kosong.pdf", "kosong"),
    ("big", "besar.pdf", "melebihi"),
], ids=["exe-as-pdf", "text-as-png", "empty", "too-large"])
@pytest.mark.app_config(UPLOAD_MAX_BYTES=4096)
def test_invalid_upload_refused_and_nothing_saved(world, login_as, app, data, name, message):
    if data == "big":
        data = pdf_bytes(pad=5000)
    c = world.ca1
    version = c.version
    resp = _post_followup(login_as(world.user_a1), c, files=[(png_bytes(), "ok.png"), (data, name)])
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    c = _reload(c)
    assert c.version == version and c.followups == [] and c.status == Status.BELUM_DITINDAKLANJUTI
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 2  # the fixture's two
    assert sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).iterdir()) == sorted(
        a.stored_name for a in db.session.scalars(sa.select(Attachment)))


def test_selesai_without_followup_refused(world, login_as):
    c = world.ca1
    resp = _post_followup(login_as(world.user_a1), c, text="", status="selesai")
    assert resp.status_code == 422
    assert "Selesai memerlukan tindak lanjut" in resp.get_data(as_text=True)
    assert _reload(c).status == Status.BELUM_DITINDAKLANJUTI


def test_selesai_with_text_finishes(world, login_as):
    c = world.ca1
    resp = _post_followup(login_as(world.user_a1), c, text="Saluran sudah dibersihkan.", status="selesai")
    assert resp.status_code == 303
    c = _reload(c)
    assert c.status == Status.SELESAI and c.finished_at is not None and len(c.followups) == 1


def test_selesai_without_text_after_earlier_followup(world, login_as):
    c = world.ca  # already has a follow-up: Proses
    resp = _post_followup(login_as(world.user_a), c, text="", status="selesai")
    assert resp.status_code == 303
    c = _reload(c)
    assert c.status == Status.SELESAI and len(c.followups) == 1


def test_empty_proses_followup_refused(world, login_as):
    resp = _post_followup(login_as(world.user_a), world.ca, text="  ")
    assert resp.status_code == 422 and "wajib diisi" in resp.get_data(as_text=True)


def test_followup_htmx_returns_the_fragment(world, login_as):
    c = world.ca1
    resp = _post_followup(login_as(world.user_a1), c, headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.lstrip().startswith('<div id="laporan">')
    assert "Tindak lanjut tersimpan" in html and "<html" not in html
    assert "HX-Request" in resp.headers["Vary"]


def test_followup_on_tunda_refused(world, make, login_as):
    c = make.complaint(status="tunda", opd=world.a)
    db.session.commit()
    resp = _post_followup(login_as(world.user_a), c)
    assert resp.status_code == 422 and _reload(c).followups == []


# --- Conflicts ----------------------------------------------------------------------------------


def test_stale_version_is_a_409_with_current_state(world, login_as):
    c = world.ca
    stale = c.version
    ops.add_followup(c, world.user_a, "Jawaban dari rekan kerja lain.")
    db.session.commit()
    count = len(c.followups)
    resp = _post_followup(login_as(world.user_a), c, text="Jawaban saya yang belum terkirim.", version=stale,
                          headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "baru saja diubah" in html and "Jawaban dari rekan kerja lain." in html
    assert "Jawaban saya yang belum terkirim." in html  # kept in the textarea
    assert f'name="version" type="hidden" value="{_reload(c).version}"' in html
    assert len(_reload(c).followups) == count


def test_stale_version_on_return_is_a_409(world, login_as):
    c = world.ca
    stale = c.version
    ops.add_followup(c, world.user_a, "Perubahan lain.")
    db.session.commit()
    resp = login_as(world.user_a).post(_url(c, "/kembalikan"), data={
        "reason": "Bukan kewenangan kami, melainkan Dinas Perhubungan.", "version": stale})
    assert resp.status_code == 409
    assert _reload(c).opd_id == world.a.id


def test_race_at_commit_is_a_409(world, login_as, monkeypatch):
    """Another request commits between our version check and our flush (the mapper's version column)."""
    c = world.ca
    real = ops.add_followup

    def racing(complaint, *args, **kwargs):
        with db.engine.begin() as conn:
            conn.execute(sa.update(Complaint).where(Complaint.id == complaint.id)
                         .values(version=Complaint.version + 1))
        return real(complaint, *args, **kwargs)

    monkeypatch.setattr(ops, "add_followup", racing)
    resp = _post_followup(login_as(world.user_a), c)
    assert resp.status_code == 409 and "baru saja diubah" in resp.get_data(as_text=True)
    assert len(_reload(c).followups) == 1


# --- Return -------------------------------------------------------------------------------------


def test_return_goes_back_to_kominfo_queue(world, login_as):
    c = world.ca
    reason = "Jalan provinsi ini kewenangan Dinas Perhubungan."
    client = login_as(world.user_a)
    resp = client.post(_url(c, "/kembalikan"), data={"reason": reason, "version": c.version})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/admin/opd")
    c = _reload(c)
    assert c.opd_id is None and c.returned_at is not None and c.status_reason == reason
    assert c.status == Status.BELUM_DITINDAKLANJUTI
    ev = c.events[-1]
    assert ev.kind == "returned" and ev.actor_id == world.user_a.id and ev.changes == {"opd": ["DPUPR", None]}
    assert ev.note == reason
    assert len(c.followups) == 1  # history kept
    # In Kominfo's "Dikembalikan" queue: returned, without an OPD.
    returned = db.session.scalars(sa.select(Complaint.tracking_no).where(
        Complaint.returned_at.is_not(None), Complaint.opd_id.is_(None))).all()
    assert returned == [c.tracking_no]
    # Gone from the OPD, which no longer sees it.
    assert c.title not in client.get("/admin/opd").get_data(as_text=True)
    assert client.get(_url(c)).status_code == 404
    # Kominfo can re-dispatch it.
    ops.dispatch(c, world.kominfo, world.b)
    assert c.returned_at is None


def test_returned_complaint_appears_in_kominfo_dikembalikan_tab(world, app):
    kominfo_client = app.test_client()
    opd_client = app.test_client()
    from tests.conftest import login

    login(kominfo_client, world.kominfo)
    login(opd_client, world.user_a)
    tab = "/admin/?tab=dikembalikan"
    assert world.ca.tracking_no not in kominfo_client.get(tab).get_data(as_text=True)
    resp = opd_client.post(_url(world.ca, "/kembalikan"),
                           data={"reason": "Bukan kewenangan kami sama sekali.", "version": world.ca.version})
    assert resp.status_code == 303
    assert world.ca.tracking_no in kominfo_client.get(tab).get_data(as_text=True)


def test_return_htmx_redirects_home(world, login_as):
    resp = login_as(world.user_a).post(_url(world.ca, "/kembalikan"), headers=HX,
                                       data={"reason": "Bukan kewenangan kami sama sekali.",
                                             "version": world.ca.version})
    assert resp.status_code == 200 and resp.headers["HX-Redirect"] == "/admin/opd"


def test_return_needs_a_reason(world, login_as):
    resp = login_as(world.user_a).post(_url(world.ca, "/kembalikan"), data={"reason": " ", "version": 1})
    assert resp.status_code == 422 and _reload(world.ca).opd_id == world.a.id


# --- Answer templates ---------------------------------------------------------------------------


def test_template_crud(world, login_as):
    client = login_as(world.user_a)
    resp = client.post("/admin/opd/template", data={"title": "Drainase", "body": "Saluran dibersihkan."})
    assert resp.status_code == 303
    tpl = db.session.scalars(sa.select(AnswerTemplate).where(AnswerTemplate.title == "Drainase")).one()
    assert tpl.opd_id == world.a.id
    html = client.get("/admin/opd/template").get_data(as_text=True)
    assert "Drainase" in html and "Jalan rusak" in html and "Antrean" not in html
    assert client.get(f"/admin/opd/template/{tpl.id}").status_code == 200
    resp = client.post(f"/admin/opd/template/{tpl.id}", data={"title": "Drainase kota", "body": "Baru."})
    assert resp.status_code == 303
    db.session.expire_all()
    assert (tpl.title, tpl.body) == ("Drainase kota", "Baru.")
    assert client.post(f"/admin/opd/template/{tpl.id}", data={"title": "", "body": ""}).status_code == 422
    resp = client.post(f"/admin/opd/template/{tpl.id}/hapus", headers=HX)
    assert resp.status_code == 200 and 'id="templates"' in resp.get_data(as_text=True)
    assert db.session.get(AnswerTemplate, tpl.id) is None


def test_template_prefills_followup_without_js(world, login_as):
    html = login_as(world.user_a).get(_url(world.ca) + f"?template={world.ta.id}").get_data(as_text=True)
    assert re.search(r"<textarea[^>]*>\s*Tim UPT Jalan telah meninjau lokasi.</textarea>", html)


def test_template_fragment_for_htmx(world, login_as):
    client = login_as(world.user_a)
    resp = client.get(_url(world.ca, "/teks") + f"?template={world.ta.id}", headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.strip().startswith('<div id="tl-text">')
    assert "Tim UPT Jalan telah meninjau lokasi." in html
    resp = client.get(_url(world.ca, "/teks") + f"?template={world.ta.id}")
    assert resp.status_code == 303 and f"template={world.ta.id}" in resp.headers["Location"]


def test_unit_sees_no_parent_templates_but_parent_sees_units(world, login_as):
    db.session.add(AnswerTemplate(opd_id=world.a1.id, title="Milik UPT", body="x"))
    db.session.commit()
    html = login_as(world.user_a1).get("/admin/opd/template").get_data(as_text=True)
    assert "Milik UPT" in html and "Jalan rusak" not in html


# --- Attachment downloads -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["user_a", "kominfo", "pimpinan", "ombudsman"])
def test_attachment_download(world, login_as, role):
    resp = login_as(getattr(world, role)).get(f"/admin/lampiran/{world.att_a.id}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "image/png"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert "bukti-DPUPR.png" in resp.headers["Content-Disposition"]
    assert resp.data[:8] == b"\x89PNG\r\n\x1a\n"
    resp.close()


def test_attachment_missing_file_is_404(world, login_as, app):
    (Path(app.config["UPLOAD_DIR"]) / world.att_a.stored_name).unlink()
    assert login_as(world.user_a).get(f"/admin/lampiran/{world.att_a.id}").status_code == 404


def test_attachment_needs_sign_in(world, client):
    assert client.get(f"/admin/lampiran/{world.att_a.id}").status_code in (302, 401)


def test_followup_model_links(world):
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(ComplaintEvent.id))) > 0


# --- Rakor action items (portal.meetings.actions) -------------------------------------


def test_home_shows_own_rakor_actions_only(world, login_as):
    import datetime as dt

    from portal.meetings import services as svc

    meeting = svc.create_meeting(title="Rakor Semester I", day=dt.date(2099, 3, 11))
    mine = svc.add_action(meeting, "Perbarui SK tim pengelola pengaduan", world.a, dt.date(2000, 4, 30))
    unit = svc.add_action(meeting, "Susun rencana aksi UPT", world.a1, dt.date(2099, 5, 31))
    other = svc.add_action(meeting, "Rencana aksi Dinkes", world.b, dt.date(2099, 4, 30))
    db.session.commit()
    html = login_as(world.user_a).get("/admin/opd").get_data(as_text=True)
    assert mine.title in html and unit.title in html and other.title not in html
    assert f"/rapat/tindak-lanjut#action-{mine.id}" in html
    assert "2 tindak lanjut rakor" in html
    section = html[html.index('id="aksi-rakor"'):]
    assert section.index(mine.title) < section.index(unit.title)  # soonest due first
    assert "badge-overdue" in section[:section.index(unit.title)]
    html_b = login_as(world.user_b).get("/admin/opd").get_data(as_text=True)
    assert other.title in html_b and mine.title not in html_b


# --- Double tap ---------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_second_identical_followup_post_saves_once_and_shows_the_first_result(world, login_as, headers):
    c = world.ca1
    client = login_as(world.user_a1)
    page = client.get(_url(c)).get_data(as_text=True)
    form = page[page.index('action="' + _url(c, "/tindak-lanjut")):]
    key = re.search(r'name="kunci" value="([^"]+)"', form).group(1)
    data = {"text": "Sudah ditinjau tim.", "status": "proses", "version": str(c.version), "kunci": key}
    first = client.post(_url(c, "/tindak-lanjut"), data=data, headers=headers)
    second = client.post(_url(c, "/tindak-lanjut"), data=data, headers=headers)  # the double tap
    assert first.status_code == second.status_code
    assert second.status_code == (200 if headers else 303)
    html = client.get(_url(c)).get_data(as_text=True) if not headers else second.get_data(as_text=True)
    assert "Tindak lanjut tersimpan" in html and "wajib diisi" not in html and "diubah oleh pengguna lain" not in html
    assert len(_reload(c).followups) == 1
    # a second tap that arrives with the text already cleared still shows the first result
    third = client.post(_url(c, "/tindak-lanjut"), data={**data, "text": ""}, headers=HX)
    assert third.status_code == 200 and "wajib diisi" not in third.get_data(as_text=True)
    assert len(_reload(c).followups) == 1
    # a new form (a new key) is a new follow-up
    data["kunci"] = re.search(r'name="kunci" value="([^"]+)"', third.get_data(as_text=True)).group(1)
    data["version"] = str(_reload(c).version)
    assert client.post(_url(c, "/tindak-lanjut"), data=data).status_code == 303
    assert len(_reload(c).followups) == 2


def test_followup_form_disables_its_button_while_sending(world, login_as):
    html = login_as(world.user_a1).get(_url(world.ca1)).get_data(as_text=True)
    form = html[html.index('action="' + _url(world.ca1, "/tindak-lanjut")):]
    assert "hx-disabled-elt=\"find button[type='submit']\"" in form[:form.index(">")]

"""Isolation: an OPD liaison reads or changes nothing of another OPD — by URL, form field, htmx
fragment or attachment link. Every case must answer 403/404 and leave the database and the upload
folder exactly as they were. Runs on SQLite and PostgreSQL through the ``app`` fixture."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.complaints.models import AnswerTemplate, Attachment, Complaint, ComplaintEvent, FollowUp
from portal.extensions import db
from tests.admin.desk.conftest import pdf_bytes

HX = {"HX-Request": "true"}
REASON = "Bukan kewenangan kami, mohon didisposisikan ulang."


def snapshot(app) -> dict:
    db.session.expire_all()

    def rows(*cols):
        return sorted(tuple(r) for r in db.session.execute(sa.select(*cols)))

    return {
        "complaints": rows(Complaint.id, Complaint.status, Complaint.opd_id, Complaint.version,
                           Complaint.returned_at, Complaint.status_reason, Complaint.finished_at,
                           Complaint.first_followup_at),
        "followups": rows(FollowUp.id, FollowUp.complaint_id, FollowUp.opd_id, FollowUp.text),
        "attachments": rows(Attachment.id, Attachment.complaint_id, Attachment.stored_name, Attachment.sha256),
        "events": rows(ComplaintEvent.id, ComplaintEvent.complaint_id, ComplaintEvent.kind),
        "templates": rows(AnswerTemplate.id, AnswerTemplate.opd_id, AnswerTemplate.title, AnswerTemplate.body),
        "files": sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).iterdir()),
    }


def _c(w, key):
    return f"/admin/opd/laporan/{getattr(w, key).tracking_no}"


def _fu(version=None, **extra):
    def data(w, target):
        return {"text": "Tindak lanjut dari OPD lain.", "status": "proses",
                "version": str(getattr(w, target).version), **extra}
    return data


# (id, method, url(world, target_key), data(world, target_key) | None, headers)
CASES = [
    ("page", "GET", lambda w, t: _c(w, t), None, {}),
    ("page-htmx", "GET", lambda w, t: _c(w, t), None, HX),
    ("template-text-fragment", "GET", lambda w, t: _c(w, t) + "/teks", None, HX),
    ("template-text-nojs", "GET", lambda w, t: _c(w, t) + "/teks", None, {}),
    ("followup", "POST", lambda w, t: _c(w, t) + "/tindak-lanjut", _fu(), {}),
    ("followup-htmx", "POST", lambda w, t: _c(w, t) + "/tindak-lanjut", _fu(), HX),
    ("followup-selesai", "POST", lambda w, t: _c(w, t) + "/tindak-lanjut",
     lambda w, t: {"text": "", "status": "selesai", "version": str(getattr(w, t).version)}, {}),
    ("followup-with-file", "POST", lambda w, t: _c(w, t) + "/tindak-lanjut",
     lambda w, t: {**_fu()(w, t), "files": [(io.BytesIO(pdf_bytes()), "x.pdf")]}, HX),
    ("return", "POST", lambda w, t: _c(w, t) + "/kembalikan",
     lambda w, t: {"reason": REASON, "version": str(getattr(w, t).version)}, {}),
    ("return-htmx", "POST", lambda w, t: _c(w, t) + "/kembalikan",
     lambda w, t: {"reason": REASON, "version": str(getattr(w, t).version)}, HX),
    ("attachment", "GET", lambda w, t: f"/admin/lampiran/{getattr(w, 'att_' + t[-1]).id}", None, {}),
]
TEMPLATE_CASES = [
    ("template-edit-form", "GET", lambda w, t: f"/admin/opd/template/{getattr(w, t).id}", None, {}),
    ("template-edit", "POST", lambda w, t: f"/admin/opd/template/{getattr(w, t).id}",
     lambda w, t: {"title": "Diambil alih", "body": "Diubah oleh OPD lain."}, {}),
    ("template-edit-htmx", "POST", lambda w, t: f"/admin/opd/template/{getattr(w, t).id}",
     lambda w, t: {"title": "Diambil alih", "body": "Diubah oleh OPD lain."}, HX),
    ("template-delete", "POST", lambda w, t: f"/admin/opd/template/{getattr(w, t).id}/hapus", lambda w, t: {}, {}),
    ("template-delete-htmx", "POST", lambda w, t: f"/admin/opd/template/{getattr(w, t).id}/hapus",
     lambda w, t: {}, HX),
]
# who attacks which object: another OPD, a unit against its parent, the parent against another OPD
PAIRS = [("user_a", "cb", "tb"), ("user_b", "ca", "ta"), ("user_a1", "ca", "ta")]


def _request(client, method, url, data, headers):
    if method == "GET":
        return client.get(url, headers=headers)
    return client.post(url, data=data, headers=headers, content_type="multipart/form-data")


@pytest.mark.parametrize("case", CASES + TEMPLATE_CASES, ids=lambda c: c[0])
def test_other_opds_objects_answer_404_and_change_nothing(world, app, case):
    """Each case is tried by every attacker/victim pair (one world per case keeps the matrix fast)."""
    from tests.conftest import login

    name, method, url_fn, data_fn, headers = case
    for actor, complaint_key, template_key in PAIRS:
        where = f"{name}: {actor} -> {complaint_key}/{template_key}"
        target = template_key if name.startswith("template-") and "text" not in name else complaint_key
        url = url_fn(world, target)
        if name.startswith("template-text"):
            url += f"?template={getattr(world, template_key).id}"
        data = data_fn(world, target) if data_fn else None
        title = getattr(world, complaint_key).title
        before = snapshot(app)
        client = app.test_client()
        login(client, getattr(world, actor))
        resp = _request(client, method, url, data, headers)
        assert resp.status_code in (403, 404), (where, resp.status_code)
        body = resp.get_data(as_text=True)
        assert title not in body and "Pelapor" not in body, where
        assert snapshot(app) == before, where


@pytest.mark.parametrize("actor, own, foreign_template", [("user_a", "ca", "tb"), ("user_b", "cb", "ta")])
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_own_complaint_with_another_opds_template_id(world, login_as, app, actor, own, foreign_template, headers):
    """A form field (``?template=``) naming another OPD's template is refused, not used."""
    client = login_as(getattr(world, actor))
    tid = getattr(world, foreign_template).id
    for url in (f"{_c(world, own)}?template={tid}", f"{_c(world, own)}/teks?template={tid}"):
        resp = client.get(url, headers=headers)
        assert resp.status_code == 404
        assert getattr(world, foreign_template).body not in resp.get_data(as_text=True)


def test_foreign_ids_in_form_fields_are_ignored(world, login_as, app):
    """Extra fields naming B's objects cannot redirect a follow-up or a template to B."""
    before_b = [r for r in snapshot(app)["complaints"] if r[0] == world.cb.id]
    client = login_as(world.user_a)
    resp = client.post(_c(world, "ca") + "/tindak-lanjut", content_type="multipart/form-data", data={
        "text": "Jawaban DPUPR.", "status": "proses", "version": str(world.ca.version),
        "complaint_id": str(world.cb.id), "opd_id": str(world.b.id), "followup_id": str(world.fb.id),
        "tracking_no": world.cb.tracking_no})
    assert resp.status_code == 303
    resp = client.post("/admin/opd/template", data={"title": "Titipan", "body": "x", "opd_id": str(world.b.id)})
    assert resp.status_code == 303
    after = snapshot(app)
    assert [r for r in after["complaints"] if r[0] == world.cb.id] == before_b
    new_fu = db.session.scalars(sa.select(FollowUp).where(FollowUp.text == "Jawaban DPUPR.")).one()
    assert (new_fu.complaint_id, new_fu.opd_id) == (world.ca.id, world.a.id)
    tpl = db.session.scalars(sa.select(AnswerTemplate).where(AnswerTemplate.title == "Titipan")).one()
    assert tpl.opd_id == world.a.id


@pytest.mark.parametrize("actor, others", [("user_a", ["cb"]), ("user_b", ["ca", "ca1"]), ("user_a1", ["ca", "cb"])])
def test_lists_show_nothing_of_other_opds(world, login_as, actor, others):
    client = login_as(getattr(world, actor))
    pages = [client.get(u).get_data(as_text=True) for u in
             ("/admin/opd", "/admin/opd?tahap=proses", "/admin/opd?tahap=belum_ditindaklanjuti",
              "/admin/opd/template")]
    for key in others:
        c = getattr(world, key)
        for html in pages:
            assert c.title not in html and c.tracking_no not in html
    if actor == "user_a":
        assert world.tb.title not in pages[-1]


def test_own_objects_are_reachable(world, login_as):
    """The matrix's counterpart: the same routes work on the OPD's own objects (parent sees its unit)."""
    client = login_as(world.user_a)
    for url in (_c(world, "ca"), _c(world, "ca1"), f"/admin/lampiran/{world.att_a.id}",
                f"/admin/opd/template/{world.ta.id}", f"{_c(world, 'ca')}?template={world.ta.id}"):
        assert client.get(url).status_code == 200, url


def test_uploads_are_not_under_static(world, client, app):
    assert client.get(f"/static/{world.att_a.stored_name}").status_code == 404
    assert not Path(app.config["UPLOAD_DIR"]).resolve().is_relative_to(Path(app.static_folder).resolve())


def test_user_without_opd_sees_nothing(world, make, login_as):
    orphan = make.user("opd", opd=None)
    client = login_as(orphan)
    assert client.get("/admin/opd").status_code == 200
    assert client.get(_c(world, "ca")).status_code == 404
    assert client.post("/admin/opd/template", data={"title": "x", "body": "y"}).status_code == 403

"""Rakor pages per role, RSVP by link, check-in, minutes, actions, CLI and demo data."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from portal.extensions import db
from portal.meetings import services as svc
from portal.meetings.models import ActionStatus, Meeting, Rsvp
from tests.conftest import login as _login


def _invite(rakor):
    made = svc.invite(rakor.meeting, [rakor.busy.id, rakor.weak.id])
    db.session.commit()
    return {i.opd_id: i for i in made if i.opd_id}


def login(client, user):
    """Sign in as ``user``; requests share the test's app context, so forget the cached user too."""
    from flask import g

    g.pop("_login_user", None)
    _login(client, user)


def rsvp_path(app, inv) -> str:
    with app.test_request_context():
        return "/" + svc.rsvp_url(inv).split("://", 1)[1].split("/", 1)[1]


# --- roles --------------------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [("kominfo", 200), ("pimpinan", 200), ("ombudsman", 200),
                                        ("lia_busy", 200), ("other", 404)])
def test_meeting_page_by_role(client, rakor, who, status):
    _invite(rakor)
    login(client, getattr(rakor, who))
    assert client.get(f"/rapat/{rakor.meeting.id}").status_code == status


@pytest.mark.parametrize("who", ["pimpinan", "ombudsman", "lia_busy"])
def test_only_kominfo_manages(client, rakor, who):
    _invite(rakor)
    login(client, getattr(rakor, who))
    m = rakor.meeting.id
    assert client.get("/rapat/baru").status_code == 403
    assert client.post(f"/rapat/{m}/undangan", data={"opd": [rakor.quiet.id]}).status_code == 403
    assert client.post(f"/rapat/{m}/notulen", data={"body_md": "x"}).status_code == 403
    assert client.post(f"/rapat/{m}/tindak-lanjut", data={"title": "x"}).status_code == 403
    assert client.post(f"/rapat/{m}/presensi", data={"code": "AAAA"}).status_code == 403


def test_anonymous_is_sent_to_login(client, rakor):
    r = client.get(f"/rapat/{rakor.meeting.id}")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_opd_user_sees_only_invited_meetings(client, rakor):
    _invite(rakor)
    svc.create_meeting(title="Rakor lain tanpa DINKES", day=dt.date(2099, 8, 12), carry=False)
    db.session.commit()
    login(client, rakor.lia_busy)
    body = client.get("/rapat/").get_data(as_text=True)
    assert rakor.meeting.title in body and "Rakor lain tanpa DINKES" not in body
    assert client.get(f"/rapat/{rakor.meeting.id}/undangan").status_code == 403


# --- planning and invitations through the pages --------------------------------------------------

def test_plan_from_template_and_clone(client, rakor):
    login(client, rakor.kominfo)
    page = client.get("/rapat/baru").get_data(as_text=True)
    assert "Templat Rakor Maret" in page and "Salin dari" in page
    r = client.post("/rapat/baru", data={"source": "tpl:agustus", "date": "2099-08-12", "mode": "tatap_muka"})
    assert r.status_code == 303
    m = db.session.get(Meeting, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert m.title == "Rakor Pengelolaan SP4N-LAPOR! Semester I 2099"
    assert (m.period_start, m.period_end) == (dt.date(2099, 1, 1), dt.date(2099, 6, 30))
    r = client.post("/rapat/baru", data={"source": f"clone:{rakor.meeting.id}", "date": "2100-03-09",
                                         "mode": "tatap_muka"})
    clone = db.session.get(Meeting, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert clone.title == rakor.meeting.title and [s.name for s in clone.speakers] == ["Dr. Ani Narasumber"]


def test_invitation_page_ranks_and_sends(client, rakor):
    from portal.core.models import OutboxMessage

    login(client, rakor.kominfo)
    page = client.get(f"/rapat/{rakor.meeting.id}/undangan").get_data(as_text=True)
    assert page.index("Dinas Pekerjaan Umum") < page.index("Dinas Kesehatan") < page.index("Dinas Pariwisata")
    r = client.post(f"/rapat/{rakor.meeting.id}/undangan", data={"opd": [str(rakor.busy.id)], "speakers": "1"})
    assert r.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 2
    pdf = client.get(f"/rapat/{rakor.meeting.id}/surat-undangan.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    sheet = client.get(f"/rapat/{rakor.meeting.id}/daftar-hadir.pdf")
    assert sheet.data.startswith(b"%PDF")


def test_reminders_only_to_unanswered(client, rakor):
    from portal.core.models import OutboxMessage

    invs = _invite(rakor)
    svc.answer_rsvp(invs[rakor.busy.id], Rsvp.HADIR)
    db.session.commit()
    login(client, rakor.kominfo)
    client.post(f"/rapat/{rakor.meeting.id}/pengingat", data={"audience": "unanswered"})
    to = sorted(m.to_addr for m in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "reminder")))
    assert to == ["ani@menpan.go.id", "lia.dpupr@uji.go.id"]


# --- RSVP by link -------------------------------------------------------------------------------

def test_rsvp_link_without_sign_in(client, app, rakor):
    inv = _invite(rakor)[rakor.weak.id]
    path = rsvp_path(app, inv)
    page = client.get(path)
    assert page.status_code == 200 and "Budi Liaison" in page.get_data(as_text=True)
    assert "data:image/svg+xml" in page.get_data(as_text=True)  # the QR code
    r = client.post(path, data={"answer": "diwakilkan", "representative_name": ""})
    assert r.status_code == 422
    r = client.post(path, data={"answer": "diwakilkan", "representative_name": "Rina Wakil",
                                "representative_position": "Kasubag Umum"})
    assert r.status_code == 200 and "Jawaban Anda tersimpan" in r.get_data(as_text=True)
    db.session.refresh(inv)
    assert (inv.rsvp, inv.representative_name) == (Rsvp.DIWAKILKAN, "Rina Wakil")


def test_rsvp_misuse_changes_nothing(client, app, rakor):
    invs = _invite(rakor)
    a, b = invs[rakor.busy.id], invs[rakor.weak.id]
    path_a = rsvp_path(app, a)
    token_a = path_a.rsplit("/", 1)[1]
    for path, msg in [(f"/rapat/konfirmasi/{b.id}/{token_a}", "bukan untuk undangan ini"),
                      (path_a[:-3] + "xyz", "tidak sah")]:
        r = client.post(path, data={"answer": "hadir"})
        assert r.status_code == 400 and msg in r.get_data(as_text=True)
    rakor.meeting.starts_at -= dt.timedelta(days=365 * 80)
    rakor.meeting.ends_at -= dt.timedelta(days=365 * 80)
    db.session.commit()
    r = client.post(path_a, data={"answer": "hadir"})
    assert r.status_code == 400 and "kedaluwarsa" in r.get_data(as_text=True)
    db.session.expire_all()
    assert a.rsvp == Rsvp.BELUM and b.rsvp == Rsvp.BELUM


def test_opd_user_answers_from_the_meeting_page(client, rakor):
    inv = _invite(rakor)[rakor.busy.id]
    other = _invite(rakor) or svc.invite(rakor.meeting, [])
    login(client, rakor.lia_busy)
    r = client.post(f"/rapat/{rakor.meeting.id}/undangan/{inv.id}/jawab", data={f"inv{inv.id}-answer": "hadir"})
    assert r.status_code == 303
    db.session.refresh(inv)
    assert inv.rsvp == Rsvp.HADIR
    weak_inv = next(i for i in rakor.meeting.invitations if i.opd_id == rakor.weak.id)
    r = client.post(f"/rapat/{rakor.meeting.id}/undangan/{weak_inv.id}/jawab",
                    data={f"inv{weak_inv.id}-answer": "hadir"})
    assert r.status_code == 404 and other is not None


# --- check-in, minutes, actions ------------------------------------------------------------------

def test_check_in_by_code_page(client, rakor):
    inv = _invite(rakor)[rakor.busy.id]
    login(client, rakor.kominfo)
    r = client.post(f"/rapat/{rakor.meeting.id}/presensi", data={"code": "QQQQ-QQQQ"})
    assert r.status_code == 422 and "tidak dikenal" in r.get_data(as_text=True)
    r = client.post(f"/rapat/{rakor.meeting.id}/presensi", data={"code": svc.format_code(inv.code)})
    assert r.status_code == 303
    page = client.get(f"/rapat/{rakor.meeting.id}/presensi").get_data(as_text=True)
    assert "Siti Liaison tercatat hadir" in page
    qr = client.get(f"/rapat/{rakor.meeting.id}/presensi/kode/{inv.code}")
    assert qr.status_code == 200 and "Sudah tercatat hadir" in qr.get_data(as_text=True)


def test_minutes_page_sanitises(client, rakor):
    login(client, rakor.kominfo)
    m = rakor.meeting.id
    client.post(f"/rapat/{m}/notulen", data={"body_md": "## Hasil\n\n<script>alert(1)</script><b onmouseover=x()>ok</b>"})
    client.post(f"/rapat/{m}/notulen/final")
    login(client, rakor.pimpinan)
    page = client.get(f"/rapat/{m}/notulen").get_data(as_text=True)
    assert "<b>ok</b>" in page and "alert(1)" not in page and "onmouseover" not in page
    assert client.get(f"/rapat/{m}/notulen/versi/1").status_code == 200


def test_action_update_by_owner_only(client, rakor):
    from portal.meetings.actions import actions_for_opd

    a = svc.add_action(rakor.meeting, "Perbarui SK tim", rakor.busy, dt.date(2099, 4, 1))
    db.session.commit()
    login(client, rakor.other)
    assert client.post(f"/rapat/tindak-lanjut/{a.id}", data={f"a{a.id}-status": "done"}).status_code == 404
    login(client, rakor.lia_busy)
    assert "Perbarui SK tim" in client.get("/rapat/tindak-lanjut").get_data(as_text=True)
    r = client.post(f"/rapat/tindak-lanjut/{a.id}", data={f"a{a.id}-status": "in_progress",
                                                          f"a{a.id}-note": "Draf SK di Biro Hukum"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and "Draf SK di Biro Hukum" in r.get_data(as_text=True)
    db.session.refresh(a)
    assert a.status == ActionStatus.IN_PROGRESS and a.progress[0].user_id == rakor.lia_busy.id
    assert actions_for_opd([rakor.busy.id]) == [a]
    login(client, rakor.pimpinan)
    assert client.post(f"/rapat/tindak-lanjut/{a.id}", data={f"a{a.id}-status": "done"}).status_code == 403


def test_photo_upload_and_authorised_download(client, rakor):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(buf, format="PNG")
    login(client, rakor.kominfo)
    r = client.post(f"/rapat/{rakor.meeting.id}/foto", data={"photo": (io.BytesIO(buf.getvalue()), "a.png"),
                                                             "caption": "Pembukaan"},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    photo = rakor.meeting.photos[0]
    assert client.get(f"/rapat/foto/{photo.id}").mimetype == "image/jpeg"
    login(client, rakor.other)
    assert client.get(f"/rapat/foto/{photo.id}").status_code == 404


# --- CLI and demo -------------------------------------------------------------------------------

def test_cli_meeting_create(runner):
    r = runner.invoke(args=["meeting", "create", "--title", "Rakor Semester I 2025", "--date", "2025-03-11"])
    assert r.exit_code == 0, r.output
    m = db.session.get(Meeting, int(r.output.strip()))
    assert (m.period_start, m.period_end) == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    shown = runner.invoke(args=["meeting", "show", str(m.id), "--json"])
    assert shown.exit_code == 0, shown.output
    import json

    assert json.loads(shown.output) == {"id": m.id, "title": "Rakor Semester I 2025", "date": "2025-03-11",
                                        "period_from": "2024-07-01", "period_to": "2024-12-31",
                                        "status": "draft", "venue": m.venue}
    missing = runner.invoke(args=["meeting", "show", "999999", "--json"])
    assert missing.exit_code == 1 and "no meeting" in missing.output
    r = runner.invoke(args=["meeting", "create", "--title", "X", "--date", "2025-08-12",
                            "--from", "2025-01-01", "--to", "2025-06-30"])
    m = db.session.get(Meeting, int(r.output.strip()))
    assert (m.period_start, m.period_end) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))


@pytest.mark.parametrize("args,msg", [
    (["--title", "X", "--date", "11-03-2025"], "--date must be a date"),
    (["--title", "X", "--date", "2025-03-11", "--from", "2025-01-01"], "both --from and --to"),
    (["--title", "X", "--date", "2025-03-11", "--from", "2025-06-01", "--to", "2025-01-01"], "Akhir periode"),
    (["--title", "  ", "--date", "2025-03-11"], "must not be empty"),
])
def test_cli_meeting_create_refuses_bad_input(runner, args, msg):
    r = runner.invoke(args=["meeting", "create", *args])
    assert r.exit_code != 0 and msg in r.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


def test_cli_remind(runner, rakor):
    from portal.core.models import OutboxMessage

    _invite(rakor)
    r = runner.invoke(args=["meeting", "remind", "--meeting", str(rakor.meeting.id)])
    assert r.exit_code == 0 and "3 reminder(s) queued" in r.output
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 3


def test_demo_meetings(app):
    import random

    from portal import demo

    demo.run(n_complaints=300, seed=3, echo=lambda *_: None)
    meetings = db.session.scalars(db.select(Meeting).order_by(Meeting.starts_at)).all()
    assert [m.date_wib.month for m in meetings[:2]] == [3, 8]
    assert meetings[0].date_wib.year == meetings[1].date_wib.year == svc.today_wib().year - 1
    assert all(m.minutes and m.minutes.status.value == "final" and m.attendances for m in meetings[:2])
    assert any(a.carried_from_id for a in meetings[1].action_items)
    upcoming = meetings[-1]
    assert upcoming.starts_at.date() > svc.today_wib() and upcoming.invitations
    assert any(a.carried_from_id for a in upcoming.action_items)
    from portal.meetings import demo as mdemo

    assert mdemo.seed(random.Random(1)) == ""  # idempotent

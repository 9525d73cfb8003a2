"""Rakor planning as staff use it: the next March/August by default, no past dates by
accident, due dates after the meeting, cancel and reschedule with updated calendars, agenda and
speakers editable and reorderable, minutes shown formatted, and Kominfo's outbox page."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from portal.core.models import OutboxMessage
from portal.extensions import db
from portal.meetings import services as svc
from portal.meetings.models import ActionItem, Meeting, MeetingStatus
from tests.meetings.test_routes import login


def _sent(rakor):
    invs = svc.invite(rakor.meeting, [rakor.busy.id, rakor.weak.id])
    for inv in invs:
        inv.sent_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    return invs


def _ics(msg: OutboxMessage) -> icalendar.Calendar:
    att = next(a for a in msg.attachments if a.filename.endswith(".ics"))
    return icalendar.Calendar.from_ical(att.data)


# --- the plan form ---------------------------------------------------------------------------------

@pytest.mark.parametrize("today,expected", [
    (dt.date(2026, 4, 20), dt.date(2026, 8, 11)),   # after March: August, never a past March
    (dt.date(2026, 3, 10), dt.date(2026, 3, 10)),   # March's second Tuesday is today: still ahead
    (dt.date(2026, 3, 11), dt.date(2026, 8, 11)),
    (dt.date(2026, 9, 1), dt.date(2027, 3, 9)),     # after August: next year's March
    (dt.date(2026, 1, 5), dt.date(2026, 3, 10)),
])
def test_next_template_is_never_past(today, expected):
    _key, _year, day = svc.next_template(today)
    assert day == expected and day >= today


def test_plan_form_defaults_to_the_next_rakor(client, rakor, monkeypatch):
    import portal.meetings.routes as routes

    monkeypatch.setattr(routes, "today_wib", lambda: dt.date(2026, 4, 20))
    login(client, rakor.kominfo)
    page = client.get("/rapat/baru").get_data(as_text=True)
    import re

    assert re.search(r'<input[^>]*id="date"[^>]*value="2026-08-11"', page)
    assert re.search(r'<option (selected value="tpl:agustus"|value="tpl:agustus" selected)', page)
    assert "Mencatat rapat yang sudah berlangsung" in page


def test_plan_refuses_a_past_date_unless_recording_a_past_meeting(client, rakor):
    login(client, rakor.kominfo)
    before = db.session.scalar(db.select(db.func.count()).select_from(Meeting))
    r = client.post("/rapat/baru", data={"source": "tpl:maret", "date": "2020-03-10", "mode": "tatap_muka"})
    assert r.status_code == 422 and "Tanggal rapat sudah lewat" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == before
    r = client.post("/rapat/baru", data={"source": "tpl:maret", "date": "2020-03-10", "mode": "tatap_muka",
                                         "record_past": "y"})
    assert r.status_code == 303
    m = db.session.get(Meeting, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert m.date_wib == dt.date(2020, 3, 10)


def test_action_due_date_before_the_meeting_is_refused(client, rakor):
    login(client, rakor.kominfo)
    url = f"/rapat/{rakor.meeting.id}/tindak-lanjut"
    data = {"title": "Perbarui SK tim", "owner_opd_id": str(rakor.busy.id), "due_date": "2020-01-31"}
    r = client.post(url, data=data)
    assert r.status_code == 422 and "Batas waktu tidak boleh sebelum" in r.get_data(as_text=True)
    assert not db.session.scalars(db.select(ActionItem).where(ActionItem.title == "Perbarui SK tim")).all()
    r = client.post(url, data={**data, "due_date": "2099-04-30"})
    assert r.status_code == 303


# --- cancel and reschedule --------------------------------------------------------------------------

def test_reschedule_sends_the_same_uid_with_the_next_sequence(client, rakor):
    invs = _sent(rakor)
    m = rakor.meeting
    login(client, rakor.kominfo)
    with client.application.test_request_context():
        from portal.meetings import documents

        first = icalendar.Calendar.from_ical(documents.invitation_ics(invs[0]))
    form = {"title": m.title, "date": "2099-03-18", "start": "09:00", "end": "13:00", "venue": m.venue,
            "mode": "tatap_muka", "period_start": m.period_start.isoformat(), "period_end": m.period_end.isoformat(),
            "reminder_days": "2"}
    r = client.post(f"/rapat/{m.id}/ubah", data=form)
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).date_wib == dt.date(2099, 3, 18)
    msgs = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "reschedule")).all()
    assert sorted(x.to_addr for x in msgs) == sorted(i.email for i in invs if i.email)
    ev0 = next(iter(first.walk("VEVENT")))
    cal = _ics(next(x for x in msgs if x.to_addr == invs[0].email))
    ev = next(iter(cal.walk("VEVENT")))
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(ev["UID"]) == str(ev0["UID"])
    assert int(ev["SEQUENCE"]) == int(ev0["SEQUENCE"]) + 1 == 1
    assert ev.decoded("DTSTART").date() == dt.date(2099, 3, 18)
    # saving again without moving it sends nothing more
    client.post(f"/rapat/{m.id}/ubah", data=form)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "reschedule")) == len(msgs)


def test_cancel_sends_method_cancel_and_stops_rsvp(client, rakor):
    invs = _sent(rakor)
    m = rakor.meeting
    login(client, rakor.kominfo)
    r = client.post(f"/rapat/{m.id}/batal", data={"reason": "Bertepatan dengan agenda Gubernur."})
    assert r.status_code == 303
    db.session.expire_all()
    m = db.session.get(Meeting, m.id)
    assert m.status == MeetingStatus.CANCELLED and m.ics_sequence == 1
    msgs = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "cancellation")).all()
    assert len(msgs) == len([i for i in invs if i.email])
    cal = _ics(msgs[0])
    ev = next(iter(cal.walk("VEVENT")))
    assert str(cal["METHOD"]) == "CANCEL" and str(ev["STATUS"]) == "CANCELLED" and int(ev["SEQUENCE"]) == 1
    assert "Bertepatan dengan agenda Gubernur." in msgs[0].body_text
    with client.application.test_request_context():
        from portal.core.mail import _build

        part = next(p for p in _build(msgs[0]).iter_attachments() if p.get_content_type() == "text/calendar")
        assert part.get_param("method") == "CANCEL"
    page = client.get(f"/rapat/{m.id}").get_data(as_text=True)
    assert "Rapat ini dibatalkan" in page
    # a second cancellation and new invitations are refused
    client.post(f"/rapat/{m.id}/batal", data={"reason": ""})
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "cancellation")) == len(msgs)
    from tests.meetings.test_routes import rsvp_path

    r = client.get(rsvp_path(client.application, invs[0]))
    assert r.status_code == 410


def test_cancel_needs_kominfo_and_csrf_free_get_changes_nothing(client, rakor):
    login(client, rakor.lia_busy)
    _sent(rakor)
    assert client.post(f"/rapat/{rakor.meeting.id}/batal", data={}).status_code in (403, 404)
    assert client.get(f"/rapat/{rakor.meeting.id}/batal").status_code == 405


# --- agenda and speakers ----------------------------------------------------------------------------

def test_agenda_items_move_up_and_down_and_edit(client, rakor):
    m = rakor.meeting
    login(client, rakor.kominfo)
    titles = [a.title for a in m.agenda_items]
    second = m.agenda_items[1]
    r = client.post(f"/rapat/{m.id}/acara/{second.id}/geser", data={"to": "up"})
    assert r.status_code == 303
    db.session.expire_all()
    assert [a.title for a in db.session.get(Meeting, m.id).agenda_items][:2] == [titles[1], titles[0]]
    # htmx: the page comes back so the section can be swapped in place
    r = client.post(f"/rapat/{m.id}/acara/{second.id}/geser", data={"to": "down"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="agenda-section"' in r.get_data(as_text=True)
    db.session.expire_all()
    assert [a.title for a in db.session.get(Meeting, m.id).agenda_items] == titles
    r = client.post(f"/rapat/{m.id}/acara/{second.id}/ubah",
                    data={"title": "Sambutan Sekretaris Daerah", "duration_minutes": "25", "presenter": "Sekda"})
    assert r.status_code == 303
    db.session.expire_all()
    item = db.session.get(type(second), second.id)
    assert (item.title, item.duration_minutes, item.presenter) == ("Sambutan Sekretaris Daerah", 25, "Sekda")


def test_speakers_reorder_and_edit(client, rakor):
    m = rakor.meeting
    svc.add_speaker(m, name="Budi Ombudsman", institution="Ombudsman RI")
    db.session.commit()
    login(client, rakor.kominfo)
    page = client.get(f"/rapat/{m.id}").get_data(as_text=True)
    assert "Naikkan" in page and "Turunkan" in page
    last = m.speakers[-1]
    assert client.post(f"/rapat/{m.id}/narasumber/{last.id}/geser", data={"to": "up"}).status_code == 303
    db.session.expire_all()
    assert [s.name for s in db.session.get(Meeting, m.id).speakers] == ["Budi Ombudsman", "Dr. Ani Narasumber"]
    r = client.post(f"/rapat/{m.id}/narasumber/{last.id}/ubah",
                    data={"name": "Budi Santoso", "institution": "Ombudsman RI Perwakilan Banten"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(last), last.id).name == "Budi Santoso"
    login(client, rakor.pimpinan)
    assert client.post(f"/rapat/{m.id}/narasumber/{last.id}/geser", data={"to": "up"}).status_code == 403


# --- minutes --------------------------------------------------------------------------------------

def test_draft_minutes_show_formatted_to_staff(client, rakor):
    m = rakor.meeting
    login(client, rakor.kominfo)
    client.post(f"/rapat/{m.id}/notulen", data={"body_md": "## Pembukaan\n\n**Tepat waktu**\n\n- satu\n"
                                                           "<script>alert(1)</script>"})
    page = client.get(f"/rapat/{m.id}/notulen").get_data(as_text=True)
    preview = page[page.index('id="minutes-preview"'):]
    assert "<h2>Pembukaan</h2>" in preview and "<strong>Tepat waktu</strong>" in preview
    assert "<li>satu</li>" in preview and "<script>alert" not in page
    r = client.post(f"/rapat/{m.id}/notulen/pratinjau", data={"body_md": "*miring*"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<em>miring</em>" in r.get_data(as_text=True)
    login(client, rakor.pimpinan)
    assert client.post(f"/rapat/{m.id}/notulen/pratinjau", data={"body_md": "x"}).status_code == 403


# --- outbox ---------------------------------------------------------------------------------------

def test_outbox_lists_queued_mail_for_kominfo_only(client, rakor):
    _sent(rakor)
    from portal.core.mail import queue_email

    msg = queue_email("lia.dinkes@uji.go.id", "Undangan: Rakor Uji", "Yth. Siti,\nisi undangan", kind="invitation")
    db.session.commit()
    for who in (rakor.lia_busy, rakor.pimpinan, rakor.ombudsman):
        login(client, who)
        assert client.get("/admin/kotak-keluar").status_code == 403
        assert client.get(f"/admin/kotak-keluar/{msg.id}").status_code == 403
    login(client, rakor.kominfo)
    page = client.get("/admin/kotak-keluar").get_data(as_text=True)
    assert "Undangan: Rakor Uji" in page and "lia.dinkes@uji.go.id" in page and "Menunggu kirim" in page
    assert "Undangan rakor" in page
    body = client.get(f"/admin/kotak-keluar/{msg.id}").get_data(as_text=True)
    assert "isi undangan" in body
    assert client.get("/admin/kotak-keluar?status=sent").get_data(as_text=True).count("Undangan: Rakor Uji") == 0
    assert client.post("/admin/kotak-keluar").status_code == 405

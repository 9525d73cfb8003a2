"""Rakor domain: planning, ranking, documents, tokens, check-in, minutes, carry-over."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.meetings import documents
from portal.meetings import services as svc
from portal.meetings.models import (
    ActionStatus,
    CheckInMethod,
    InvitationKind,
    MeetingStatus,
    MinutesStatus,
    Rsvp,
)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # table cells wrap: compare on single spaces


# --- planning -----------------------------------------------------------------------------------

def test_default_period_is_the_last_whole_calendar_semester():
    # a March rakor reviews 1 July–31 December of the year before, an August one 1 January–30 June
    assert svc.default_period(dt.date(2025, 3, 11)) == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    assert svc.default_period(dt.date(2025, 8, 19)) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert svc.default_period(dt.date(2024, 1, 5)) == (dt.date(2023, 7, 1), dt.date(2023, 12, 31))
    assert svc.default_period(dt.date(2024, 7, 1)) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert svc.default_period(dt.date(2024, 12, 31)) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    # every month of the year is reviewed exactly once by the two rakor
    days = set()
    for year in (2024, 2025):
        for day in (dt.date(year, 3, 11), dt.date(year, 8, 12)):
            s, e = svc.default_period(day)
            days |= {s + dt.timedelta(days=i) for i in range((e - s).days + 1)}
    assert min(days) == dt.date(2023, 7, 1) and max(days) == dt.date(2025, 6, 30)
    assert len(days) == (dt.date(2025, 6, 30) - dt.date(2023, 7, 1)).days + 1


def test_semester_labels_and_previous_semester():
    assert svc.semester_label(dt.date(2025, 1, 1), dt.date(2025, 6, 30)) == "Semester I 2025"
    assert svc.semester_label(dt.date(2024, 7, 1), dt.date(2024, 12, 31)) == "Semester II 2024"
    assert svc.semester_label(dt.date(2024, 9, 1), dt.date(2025, 2, 28)) is None
    assert svc.previous_semester(dt.date(2025, 1, 1)) == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    assert svc.previous_semester(dt.date(2024, 7, 1)) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))


def test_templates_give_march_and_august(app):
    assert svc.template_date("maret", 2025).month == 3
    assert svc.template_date("agustus", 2025) == dt.date(2025, 8, 12)  # second Tuesday
    assert svc.template_title("agustus", 2025) == "Rakor Pengelolaan SP4N-LAPOR! Semester I 2025"
    assert svc.template_title("maret", 2025) == "Rakor Pengelolaan SP4N-LAPOR! Semester II 2024"
    m = svc.create_meeting(title=svc.template_title("maret", 2025), day=svc.template_date("maret", 2025))
    assert (m.period_start, m.period_end) == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    assert m.status == MeetingStatus.DRAFT
    assert m.starts_at == dt.datetime(2025, 3, 11, 2, 0, tzinfo=dt.UTC)  # 09.00 WIB
    assert [a.title for a in m.agenda_items][:2] == ["Registrasi peserta", "Pembukaan dan sambutan Kepala Dinas"]
    assert sum(a.duration_minutes for a in m.agenda_items) == 220
    assert m.letter_number


def test_clone_copies_speakers_agenda_and_venue(rakor):
    src = rakor.meeting
    src.venue = "Ruang Rapat Lt. 3"
    svc.add_agenda_item(src, "Sesi khusus RSUD", 25, "RSUD")
    new = svc.create_meeting(title="Rakor Agustus", day=dt.date(2099, 8, 12), clone_from=src)
    db.session.commit()
    assert new.venue == "Ruang Rapat Lt. 3"
    assert [s.name for s in new.speakers] == ["Dr. Ani Narasumber"]
    assert [a.title for a in new.agenda_items] == [a.title for a in src.agenda_items]
    assert new.previous_id == src.id
    assert (new.period_start, new.period_end) == (dt.date(2099, 1, 1), dt.date(2099, 6, 30))


@pytest.mark.parametrize("kw,msg", [({"title": " "}, "Judul"),
                                    ({"start": dt.time(12), "end": dt.time(9)}, "Jam selesai"),
                                    ({"period_start": dt.date(2025, 1, 1)}, "periode")])
def test_planning_refuses_bad_input(app, kw, msg):
    args = {"title": "Rakor", "day": dt.date(2025, 3, 11), **kw}
    with pytest.raises(svc.MeetingError, match=msg):
        svc.create_meeting(**args)


# --- invitee ranking ----------------------------------------------------------------------------

def test_ranking_by_volume_and_weak_figures(rakor):
    ranking = svc.rank_invitees(rakor.meeting, today=dt.date(2025, 3, 1))
    by_code = {c.opd.code: c for c in ranking}
    assert [c.opd.code for c in ranking] == ["DPUPR", "DINKES", "DISPAR"]
    weak, busy, quiet = by_code["DPUPR"], by_code["DINKES"], by_code["DISPAR"]
    assert (busy.total, busy.persen_tl, busy.overdue) == (10, 100.0, 1)  # the one still in Proses
    assert (weak.total, weak.persen_tl, weak.overdue) == (6, 0.0, 6)
    assert quiet.total == 0  # its complaints are outside the period
    assert busy.suggested and weak.suggested and not quiet.suggested
    assert "%TL rendah" in weak.reasons
    assert [u.email for u in weak.liaisons] == ["lia.dpupr@uji.go.id"]  # not the former liaison


def test_invite_goes_to_current_liaisons_and_speakers_once(rakor):
    m = rakor.meeting
    made = svc.invite(m, [rakor.busy.id, rakor.weak.id])
    assert sorted(i.email for i in made) == ["ani@menpan.go.id", "lia.dinkes@uji.go.id", "lia.dpupr@uji.go.id"]
    assert m.status == MeetingStatus.INVITED
    assert {i.kind for i in made} == {InvitationKind.PARTICIPANT, InvitationKind.SPEAKER}
    assert len({i.code for i in made}) == 3 and all(len(i.code) == 8 for i in made)
    assert svc.invite(m, [rakor.busy.id, rakor.weak.id]) == []
    # an OPD without a liaison gets a letter to its address
    opd = db.session.get(type(rakor.busy), rakor.busy.id)
    from tests.conftest import Factory

    bare = Factory().opd("BAPPEDA", "Bappeda", email="bappeda@uji.go.id")
    (inv,) = svc.invite(m, [bare.id, opd.id])
    assert inv.email == "bappeda@uji.go.id" and inv.user_id is None


def test_sending_queues_letter_and_ics_in_the_outbox(rakor):
    from portal.core.models import OutboxMessage

    m = rakor.meeting
    made = svc.invite(m, [rakor.busy.id])
    db.session.commit()
    svc.send_invitation_emails(None, m.id, [i.id for i in made])
    msgs = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.to_addr)).all()
    assert [x.to_addr for x in msgs] == ["ani@menpan.go.id", "lia.dinkes@uji.go.id"]
    msg = msgs[1]
    assert msg.kind == "invitation" and "/rapat/konfirmasi/" in msg.body_text
    assert [(a.filename, a.content_type) for a in msg.attachments] == [
        ("undangan.pdf", "application/pdf"), ("rakor.ics", "text/calendar; method=REQUEST")]
    assert all(i.sent_at for i in made)


# --- documents ----------------------------------------------------------------------------------

def test_invitation_letter_pdf(rakor, app):
    m = rakor.meeting
    m.letter_number = "005/123-PIKK/2099"
    m.venue = "Aula Diskominfo KP3B"
    svc.invite(m, [rakor.busy.id, rakor.weak.id])
    with app.test_request_context():
        general = pdf_text(documents.invitation_pdf(m))
        inv = next(i for i in m.invitations if i.opd_id == rakor.busy.id)
        personal = pdf_text(documents.invitation_pdf(m, inv))
    for text in (general, personal):
        assert "005/123-PIKK/2099" in text
        assert "Aula Diskominfo KP3B" in text
        assert "Paparan capaian pengelolaan SP4N-LAPOR!" in text
        assert "Rabu, 11 Maret 2099" in text
        assert "09.00" in text
        assert "KemenPANRB" in text
    assert "Dinas Pekerjaan Umum dan Penataan Ruang" in general  # the list of addressees
    assert "Siti Liaison" in personal and "Dinas Kesehatan" in personal
    assert svc.format_code(inv.code) in personal
    assert "Serang, " in general  # the default city where letters are signed


def test_invitation_letter_city_is_a_setting(rakor, app):
    from portal.core.models import Setting
    from portal.extensions import db

    db.session.add(Setting(key="INSTITUTION_CITY", value="Cilegon"))
    db.session.commit()
    with app.test_request_context():
        text = pdf_text(documents.invitation_pdf(rakor.meeting))
    assert "Cilegon, " in text and "Serang, " not in text


def test_sign_in_sheet_pdf(rakor, app):
    m = rakor.meeting
    svc.invite(m, [rakor.busy.id, rakor.weak.id], include_speakers=False)
    weak_inv = next(i for i in m.invitations if i.opd_id == rakor.weak.id)
    svc.answer_rsvp(weak_inv, Rsvp.DIWAKILKAN, "Rina Wakil", "Kasubag Umum")
    with app.test_request_context():
        text = pdf_text(documents.attendance_pdf(m))
    assert "DAFTAR HADIR" in text
    assert "Siti Liaison" in text and "Dinas Kesehatan" in text and "Analis" in text
    assert "Rina Wakil" in text and "Kasubag Umum" in text and "Budi Liaison" not in text
    assert "Tanda tangan" in text


def test_ics_parses_back(rakor, app):
    from icalendar import Calendar

    m = rakor.meeting
    (inv,) = [i for i in svc.invite(m, [rakor.busy.id]) if i.opd_id]
    with app.test_request_context():
        raw = documents.invitation_ics(inv)
        again = documents.invitation_ics(inv)
    cal = Calendar.from_ical(raw)
    assert str(cal["method"]) == "REQUEST"
    (ev,) = cal.walk("VEVENT")
    assert str(ev["uid"]) == str(Calendar.from_ical(again).walk("VEVENT")[0]["uid"])  # stable
    start = ev.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Jakarta" and (start.hour, start.minute) == (9, 0)
    assert start.astimezone(dt.UTC) == m.starts_at
    assert ev.decoded("dtend").astimezone(dt.UTC) == m.ends_at
    assert str(ev["summary"]) == m.title
    assert str(ev["attendee"]) == "mailto:lia.dinkes@uji.go.id"
    assert ev["attendee"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(ev["organizer"]).startswith("mailto:")
    assert svc.format_code(inv.code) in str(ev["description"])
    assert cal.walk("VTIMEZONE")


# --- RSVP tokens --------------------------------------------------------------------------------

def test_rsvp_token_round_trip_and_misuse(rakor, app):
    m = rakor.meeting
    a, b = [i for i in svc.invite(m, [rakor.busy.id, rakor.weak.id]) if i.opd_id]
    db.session.commit()
    token = svc.rsvp_token(a)
    assert svc.invitation_from_token(a.id, token) is a
    with pytest.raises(svc.MeetingError, match="bukan untuk undangan ini"):
        svc.invitation_from_token(b.id, token)  # reused for another OPD's invitation
    with pytest.raises(svc.MeetingError, match="tidak sah"):
        svc.invitation_from_token(a.id, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    with pytest.raises(svc.MeetingError, match="kedaluwarsa"):
        svc.invitation_from_token(a.id, token, today=m.date_wib + dt.timedelta(days=1))
    other_app_token = svc.URLSafeTimedSerializer("another-secret", salt="portal.meetings.rsvp").dumps(
        {"i": a.id, "m": m.id})
    with pytest.raises(svc.MeetingError, match="tidak sah"):
        svc.invitation_from_token(a.id, other_app_token)


def test_rsvp_answers(rakor):
    inv = svc.invite(rakor.meeting, [rakor.busy.id])[0]
    with pytest.raises(svc.MeetingError, match="perwakilan"):
        svc.answer_rsvp(inv, Rsvp.DIWAKILKAN, "Rina", "")
    svc.answer_rsvp(inv, Rsvp.DIWAKILKAN, "Rina Wakil", "Kasubag")
    assert (inv.rsvp, inv.representative_name) == (Rsvp.DIWAKILKAN, "Rina Wakil")
    svc.answer_rsvp(inv, Rsvp.HADIR)
    assert inv.rsvp == Rsvp.HADIR and inv.representative_name is None and inv.rsvp_at


# --- attendance ---------------------------------------------------------------------------------

def test_check_in_by_code_and_attendance_per_opd(rakor):
    from tests.conftest import Factory

    m = rakor.meeting
    third = Factory().opd("RSUD", "RSUD Banten")
    svc.invite(m, [rakor.busy.id, rakor.weak.id, third.id], include_speakers=False)
    busy_inv = next(i for i in m.invitations if i.opd_id == rakor.busy.id)
    weak_inv = next(i for i in m.invitations if i.opd_id == rakor.weak.id)
    svc.answer_rsvp(weak_inv, Rsvp.DIWAKILKAN, "Rina Wakil", "Kasubag")
    code = svc.format_code(busy_inv.code).lower()  # typed with a dash, in lower case
    att = svc.check_in_by_code(m, code)
    assert att.name == "Siti Liaison" and att.method == CheckInMethod.CODE
    with pytest.raises(svc.MeetingError, match="sudah tercatat"):
        svc.check_in_by_code(m, busy_inv.code)
    with pytest.raises(svc.MeetingError, match="tidak dikenal"):
        svc.check_in_by_code(m, "ZZZZ-ZZZZ")
    other = svc.create_meeting(title="Lain", day=dt.date(2099, 8, 12), carry=False)
    with pytest.raises(svc.MeetingError, match="tidak dikenal"):
        svc.check_in_by_code(other, weak_inv.code)  # a code of another meeting
    rep = svc.check_in(weak_inv, CheckInMethod.STAFF)
    assert rep.is_representative and rep.name == "Rina Wakil"
    per = {r["opd"].code: r["status"] for r in svc.attendance_per_opd(m)}
    assert per == {"DINKES": "hadir", "DPUPR": "diwakilkan", "RSUD": "tidak_hadir"}


# --- minutes ------------------------------------------------------------------------------------

def test_minutes_are_sanitised_and_versioned(rakor):
    m = rakor.meeting
    body = ("## 1. Pembukaan\n\nDibuka **pukul 09.00**.\n\n<script>alert(1)</script>\n\n"
            '<img src=x onerror="alert(2)">\n\n[tautan](javascript:alert(3)) <a href="https://lapor.go.id" '
            'onclick="x()">LAPOR</a>\n')
    minutes = svc.save_minutes(m, body, rakor.kominfo)
    html = minutes.body_html
    assert "<strong>pukul 09.00</strong>" in html and "<h2>1. Pembukaan</h2>" in html
    for bad in ("<script", "alert(1)", "onerror", "onclick", "javascript:", "<img"):
        assert bad not in html, bad
    assert 'href="https://lapor.go.id"' in html
    assert minutes.version == 1
    svc.save_minutes(m, body, rakor.kominfo)
    assert minutes.version == 1  # unchanged text: no new version
    svc.save_minutes(m, body + "\nTambahan.", rakor.kominfo)
    svc.finalize_minutes(m, rakor.kominfo)
    assert minutes.status == MinutesStatus.FINAL and minutes.version == 3
    assert sorted(v.number for v in minutes.versions) == [1, 2, 3]
    assert [v.status for v in minutes.versions][-1] == MinutesStatus.FINAL
    assert m.status == MeetingStatus.CLOSED
    with pytest.raises(svc.MeetingError, match="final"):
        svc.save_minutes(m, "ubah", rakor.kominfo)


def test_minutes_skeleton_follows_the_agenda(rakor):
    text = svc.minutes_skeleton(rakor.meeting)
    assert text.startswith("## 1. Registrasi peserta")
    assert "## 4. Tindak lanjut hasil rakor sebelumnya" in text


# --- actions and carry-over ---------------------------------------------------------------------

def test_open_actions_carry_over_with_history(rakor):
    from portal.meetings.actions import actions_for_opd

    march = rakor.meeting
    done = svc.add_action(march, "Perbarui SK tim", rakor.busy, dt.date(2099, 4, 30))
    open_ = svc.add_action(march, "Susun rencana aksi", rakor.weak, dt.date(2099, 5, 31))
    doing = svc.add_action(march, "Tuntaskan aduan lewat batas", rakor.weak)
    svc.update_action(done, rakor.lia_busy, "SK terbit", ActionStatus.DONE)
    svc.update_action(doing, rakor.lia_weak, "Sedang dikerjakan", ActionStatus.IN_PROGRESS)
    db.session.commit()
    assert {a.title for a in actions_for_opd([rakor.weak.id])} == {"Susun rencana aksi", "Tuntaskan aduan lewat batas"}

    august = svc.create_meeting(title="Rakor Agustus", day=dt.date(2099, 8, 12))
    db.session.commit()
    copies = {a.title: a for a in august.action_items}
    assert set(copies) == {"Susun rencana aksi", "Tuntaskan aduan lewat batas"}
    assert copies["Susun rencana aksi"].carried_from_id == open_.id
    assert copies["Tuntaskan aduan lewat batas"].status == ActionStatus.IN_PROGRESS
    assert copies["Tuntaskan aduan lewat batas"].lineage() == [doing, copies["Tuntaskan aduan lewat batas"]]
    assert open_.carried_over_at is not None and open_.status == ActionStatus.OPEN  # history kept
    assert any(a.is_carry_over for a in august.agenda_items)
    # idempotent, and the OPD now sees only the live copies
    assert svc.carry_over(august) == []
    assert {a.meeting_id for a in actions_for_opd([rakor.weak.id])} == {august.id}
    with pytest.raises(svc.MeetingError, match="dibawa"):
        svc.update_action(open_, rakor.lia_weak, "catatan", None)


def test_update_action_needs_a_note_or_a_status_change(rakor):
    a = svc.add_action(rakor.meeting, "Monitoring", rakor.busy)
    with pytest.raises(svc.MeetingError):
        svc.update_action(a, rakor.lia_busy, " ", ActionStatus.OPEN)
    p = svc.update_action(a, rakor.lia_busy, "", ActionStatus.DONE)
    assert (p.from_status, p.to_status) == (ActionStatus.OPEN, ActionStatus.DONE) and a.closed_at


# --- photos -------------------------------------------------------------------------------------

def test_photo_metadata_is_stripped(rakor, app):
    from PIL import Image

    img = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    exif[0x8825] = {2: (6.0, 7.0, 8.0)}  # GPS
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes())
    assert b"KameraRahasia" in buf.getvalue()
    photo = svc.store_photo(rakor.meeting, io.BytesIO(buf.getvalue()), "Pembukaan", rakor.kominfo)
    data = Path(svc.photo_path(photo)).read_bytes()
    assert b"KameraRahasia" not in data and b"Exif" not in data
    assert (photo.width, photo.height) == (64, 48) and len(photo.stored_name) == 36
    with pytest.raises(svc.MeetingError):
        svc.store_photo(rakor.meeting, io.BytesIO(b"<svg onload=alert(1)>"), None, rakor.kominfo)

"""A rakor's date reads in one language: the page's on the web, always Indonesian on the letter."""

from __future__ import annotations

from flask_babel import refresh

from portal.extensions import db
from portal.meetings import documents
from portal.meetings import services as svc
from tests.meetings.test_routes import rsvp_path
from tests.meetings.test_services import pdf_text


def _invitation(rakor):
    made = svc.invite(rakor.meeting, [rakor.busy.id])
    db.session.commit()
    return next(i for i in made if i.opd_id == rakor.busy.id)


def test_rsvp_page_date_in_the_page_language(client, app, rakor):
    inv = _invitation(rakor)
    path = rsvp_path(app, inv)
    refresh()
    indonesian = client.get(path).get_data(as_text=True)
    assert "Rabu, 11 Maret 2099" in indonesian
    refresh()
    english = client.get(path + "?lang=en").get_data(as_text=True)
    assert "Wednesday, 11 March 2099" in english
    assert "Rabu" not in english and "Maret" not in english


def test_invitation_letter_is_indonesian_whatever_the_ui_language(app, rakor):
    inv = _invitation(rakor)
    with app.test_request_context("/?lang=en"):
        text = pdf_text(documents.invitation_pdf(rakor.meeting, inv))
        sheet = pdf_text(documents.attendance_pdf(rakor.meeting))
    assert "Rabu, 11 Maret 2099" in text and "Hari, tanggal" in text
    assert "March" not in text and "Wednesday" not in text
    assert "Hari, tanggal" in sheet and "DAFTAR HADIR" in sheet

"""Links that leave the page follow the serving address unless PUBLIC_BASE_URL is set."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.core.models import OutboxMessage
from portal.core.urls import offline_base_url, public_base_url
from portal.extensions import db
from portal.meetings import documents
from portal.meetings import services as svc
from tests.admin.intake.test_pages import ENTRY
from tests.meetings.test_services import pdf_text


def test_receipt_link_qr_and_email_follow_the_serving_port(client, make, login_as):
    login_as(make.user("kominfo"))
    resp = client.post("/admin/laporan-baru", data={**ENTRY, "send_receipt": "y"}, base_url="http://localhost:5001")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    number = db.session.scalar(sa.select(Complaint.tracking_no))
    page = client.get(resp.headers["Location"], base_url="http://localhost:5001").get_data(as_text=True)
    assert f"http://localhost:5001/lacak/{number}" in page and ":5000" not in page
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert f"http://localhost:5001/lacak/{number}" in mail.body_text and ":5000" not in mail.body_text


@pytest.mark.app_config(PUBLIC_BASE_URL="https://lapor.example.go.id/")
def test_a_configured_public_base_wins(app):
    with app.test_request_context(base_url="http://localhost:5001"):
        assert public_base_url() == "https://lapor.example.go.id"
    assert offline_base_url() == "https://lapor.example.go.id"


def test_outside_a_request_server_name_then_port(app, monkeypatch):
    monkeypatch.setenv("PORT", "5002")
    assert offline_base_url() == "http://127.0.0.1:5002"
    app.config["SERVER_NAME"] = "lapor.banten.go.id"
    app.config["PREFERRED_URL_SCHEME"] = "https"
    assert offline_base_url() == "https://lapor.banten.go.id"


def test_ics_letter_and_invitation_mail_use_the_base(rakor, app, monkeypatch):
    monkeypatch.setenv("PORT", "5003")
    m = rakor.meeting
    (inv,) = [i for i in svc.invite(m, [rakor.busy.id]) if i.opd_id]
    with app.test_request_context(base_url="http://localhost:5001"):
        ics = documents.invitation_ics(inv).decode()
        letter = pdf_text(documents.invitation_pdf(m, inv))
    assert "http://localhost:5001/" in ics.replace("\r\n ", "") and ":5000" not in ics
    assert "localhost:5001" in letter.replace("\n", "")
    # the e-mail job runs outside the request: the serving port from the environment
    svc.send_invitation_emails(None, m.id, [inv.id])
    body = db.session.scalars(sa.select(OutboxMessage)).all()[-1].body_text
    assert "http://127.0.0.1:5003/" in body and ":5000" not in body

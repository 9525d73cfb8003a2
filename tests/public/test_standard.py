"""The service standard in public: default text, Kominfo's versions (sanitised), live compliance."""

import datetime as dt

import pytest
from flask_babel import refresh

from portal.core.models import AuditLog
from portal.extensions import db
from portal.public import standard as std


def _utc(y, m, d, h=1):
    return dt.datetime(y, m, d, h, 0, tzinfo=dt.UTC)


@pytest.fixture
def timeline(make):
    """Complaints of February 2025 with hand-checked stage dates (verify 3, follow-up 5, norm 14)."""
    opd = make.opd("DPUPR")
    # C1: forwarded day 2 (due 6 Feb), follow-up 7 Feb (due 12 Feb), finished 20 Feb (due 25 Feb): all met
    make.complaint("C1", "selesai", opd=opd, submitted_at=_utc(2025, 2, 3), verified_at=_utc(2025, 2, 5),
                   dispatched_at=_utc(2025, 2, 5), first_followup_at=_utc(2025, 2, 7),
                   finished_at=_utc(2025, 2, 20), norm_days=14)
    # C2: forwarded 10 Feb (late), no follow-up: follow-up due 17 Feb and completion due 28 Feb overdue
    make.complaint("C2", "belum_ditindaklanjuti", opd=opd, submitted_at=_utc(2025, 2, 3),
                   verified_at=_utc(2025, 2, 10), dispatched_at=_utc(2025, 2, 10), norm_days=14)
    # C5: forwarded 4 Feb, follow-up 20 Feb (due 11 Feb: late), finished 21 Feb (due 24 Feb: met)
    make.complaint("C5", "selesai", opd=opd, submitted_at=_utc(2025, 2, 3), verified_at=_utc(2025, 2, 4),
                   dispatched_at=_utc(2025, 2, 4), first_followup_at=_utc(2025, 2, 20),
                   finished_at=_utc(2025, 2, 21), norm_days=14)
    # C3: received on 28 Mar, still within every service time on 31 Mar: not counted yet
    make.complaint("C3", submitted_at=_utc(2025, 3, 28), norm_days=14)
    # C4: older than 12 months: not counted
    make.complaint("C4", "selesai", opd=opd, submitted_at=_utc(2023, 2, 3), dispatched_at=_utc(2023, 2, 20),
                   first_followup_at=_utc(2023, 3, 20), finished_at=_utc(2023, 6, 1), norm_days=14)
    db.session.commit()


def test_compliance_counts_decided_stages_of_the_last_twelve_months(app, timeline):
    c = std.compliance(dt.date(2025, 3, 31))
    assert c["from"] == "2024-04-01" and c["to"] == "2025-03-31"
    assert (c["verifikasi"]["met"], c["verifikasi"]["total"], c["verifikasi"]["share"]) == (2, 3, 66.7)
    assert (c["tindak_lanjut"]["met"], c["tindak_lanjut"]["total"], c["tindak_lanjut"]["share"]) == (1, 3, 33.3)
    assert (c["selesai"]["met"], c["selesai"]["total"], c["selesai"]["share"]) == (2, 3, 66.7)


def test_compliance_without_data_is_a_dash_not_zero(app, client):
    c = std.compliance(dt.date(2025, 3, 31))
    assert c["verifikasi"] == {"met": 0, "total": 0, "share": None}
    html = client.get("/standar-layanan").get_data(as_text=True)
    assert 'data-measure="verifikasi">–<' in html


def test_public_page_states_the_standard_of_seed_002_in_both_languages(client):
    r = client.get("/standar-layanan")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for text in ("paling lambat 3 hari kerja", "paling lambat 5 hari kerja", "<strong>10 hari kerja</strong>",
                 "Gratis", "Kotak SP4N-LAPOR!", "anonim", "Pengawasan", "<strong>60</strong>",
                 "Kepatuhan 12 bulan terakhir"):
        assert text in html, text
    assert 'href="/standar-layanan"' in html  # in the public navigation
    refresh()  # the test's one app context keeps the locale on g
    en = client.get("/standar-layanan?lang=en").get_data(as_text=True)
    assert "within 3 working days" in en and "Free of charge" in en


def test_kominfo_publishes_sanitised_versions_kept_with_their_dates(client, make, login_as):
    login_as(make.user("kominfo"))
    form = client.get("/admin/pengaturan/standar-layanan").get_data(as_text=True)
    assert "paling lambat 3 hari kerja" in form  # prefilled with the current text
    r = client.post("/admin/pengaturan/standar-layanan", data={
        "body_id": "## Persyaratan\n\nVersi *pertama*.", "body_en": "", "note": "awal"})
    assert r.status_code == 303
    first = std.current()
    first.published_at = dt.datetime(2025, 1, 2, 3, 0, tzinfo=dt.UTC)
    db.session.commit()
    r = client.post("/admin/pengaturan/standar-layanan", data={
        "body_id": "## Biaya\n\nGratis.<script>alert(1)</script><img src=x onerror=alert(2)>",
        "body_en": "## Cost\n\nFree.", "note": "biaya"})
    assert r.status_code == 303
    assert db.session.query(AuditLog).filter_by(action="service_standard.publish").count() == 2

    html = client.get("/standar-layanan").get_data(as_text=True)
    assert "<h3>Biaya</h3>" in html and "<script>alert" not in html and "onerror" not in html
    assert "Versi 2 Januari 2025" in html and "biaya" in html
    refresh()
    assert "Free." in client.get("/standar-layanan?lang=en").get_data(as_text=True)
    refresh()
    old = client.get(f"/standar-layanan/versi/{first.id}").get_data(as_text=True)
    assert "Versi <em>pertama</em>." in old and "sudah tidak berlaku" in old
    # no English text: the Indonesian one is shown
    refresh()
    assert "Versi <em>pertama</em>." in client.get(f"/standar-layanan/versi/{first.id}?lang=en").get_data(
        as_text=True)
    assert client.get("/standar-layanan/versi/9999").status_code == 404


@pytest.mark.parametrize("role", ["opd", "pimpinan", "ombudsman"])
def test_only_kominfo_edits_the_standard(client, make, login_as, role):
    login_as(make.user(role, opd=make.opd() if role == "opd" else None))
    assert client.get("/admin/pengaturan/standar-layanan").status_code == 403
    assert client.post("/admin/pengaturan/standar-layanan", data={"body_id": "x"}).status_code == 403
    assert std.current() is None


def test_an_empty_text_is_refused(client, make, login_as):
    login_as(make.user("kominfo"))
    assert client.post("/admin/pengaturan/standar-layanan", data={"body_id": "  "}).status_code == 400
    assert std.current() is None

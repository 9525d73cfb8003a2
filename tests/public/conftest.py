"""Fixtures for the public pages: a seeded set of complaints whose texts repeat their reporters' PII."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.complaints.models import Attachment, ComplaintEvent, FollowUp, Status
from portal.core.db import utcnow
from portal.extensions import db

NAME = "Sulastri Wibowo"
NIK = "3602041505900003"
PHONE = "+6281398765432"
EMAIL = "sulastri.w@contoh.id"
#: every spelling of the reporter's data that must never appear in public output
LEAKS = [
    "Sulastri", "Wibowo", "SULASTRI", "wibowo", NIK, "3602 0415 0590 0003", "3602.0415.0590.0003",
    "81398765432", "0813-9876-5432", "0813 9876 5432", "+62 813 9876 5432", EMAIL, "contoh.id",
    "RAHASIA-", "-6.123456", "106.654321", "lampiran-rahasia",
]
LEAKY_TEXT = (f"Saya {NAME}, NIK {NIK[:4]} {NIK[4:8]} {NIK[8:12]} {NIK[12:]}, HP 0813-9876-5432 atau "
              f"+62 813 9876 5432, email {EMAIL}. Jalan di depan rumah Bu Sulastri rusak berat.")


def _followup(c, opd, text, at):
    db.session.add(FollowUp(complaint=c, opd=opd, text=text, created_at=at))
    c.first_followup_at = c.first_followup_at or at


def _event(c, kind, to, note=None, at=None):
    db.session.add(ComplaintEvent(complaint=c, kind=kind, to_status=to, note=note, is_public=True,
                                  at=at or utcnow(), changes={}))


@pytest.fixture
def seeded(make):
    """Complaints in every status, with reporter PII repeated in titles, texts, follow-ups and notes."""
    now = utcnow()
    road = make.opd(code="DPUPR", name="Dinas Pekerjaan Umum")
    health = make.opd(code="DINKES", name="Dinas Kesehatan")
    unit = make.opd(code="UPTPJU", name="UPTD Penerangan Jalan", parent=road)
    kominfo = make.user("kominfo")
    make.user("opd", opd=road)
    cat = make.category("Infrastruktur > Jalan", 14, default_opd=road)
    cat2 = make.category("Kesehatan > Puskesmas", 5, default_opd=health)
    reporter = {"name": NAME, "nik": NIK, "phone": PHONE, "email": EMAIL, "gender": "P", "has_disability": True}
    made = {}
    from portal.complaints.models import Instansi

    elsewhere = Instansi(name="Kota Serang", kind="kabupaten_kota")
    db.session.add(elsewhere)
    for i, status in enumerate(Status):
        opd = None if status in (Status.BELUM_TERVERIFIKASI, Status.DITERUSKAN) else (road if i % 2 else health)
        c = make.complaint(
            tracking_no=f"600{i:04d}", status=status.value, opd=opd, category=cat if i % 2 else cat2,
            submitted_at=now - dt.timedelta(days=10 - i), title=f"Jalan rusak, pelapor {NAME} 0813-9876-5432",
            text=LEAKY_TEXT, location="Kota Serang, Kec. Cipocok Jaya", latitude=-6.123456, longitude=106.654321,
            reporter=dict(reporter), verified_at=None if i == 0 else now - dt.timedelta(days=9 - i),
            status_reason=f"Menunggu berkas dari {NAME}" if status in (Status.TUNDA, Status.ARSIP) else None,
            rating=4 if status == Status.SELESAI else None, is_anonymous=(i == 3),
            forwarded_to=elsewhere if status == Status.DITERUSKAN else None,
            forwarded_at=now - dt.timedelta(days=2) if status == Status.DITERUSKAN else None,
        )
        if status in (Status.PROSES, Status.SELESAI):
            _followup(c, opd, f"Kami telah menghubungi Ibu {NAME} di 081398765432 ({EMAIL}).",
                      now - dt.timedelta(days=5 - i))
        _event(c, "status", status, note=f"Catatan untuk {NAME.split()[0]} NIK {NIK}", at=now - dt.timedelta(days=4))
        made[status.value] = c
    secret = make.complaint(
        tracking_no="6009999", status="proses", opd=unit, category=cat, submitted_at=now - dt.timedelta(days=3),
        title="RAHASIA-JUDUL", text="RAHASIA-ISI tentang pungutan liar", location="RAHASIA-LOKASI",
        is_confidential=True, latitude=-6.123456, longitude=106.654321, reporter=dict(reporter),
        verified_at=now - dt.timedelta(days=2),
    )
    _followup(secret, unit, "RAHASIA-TINDAK-LANJUT", now - dt.timedelta(days=1))
    _event(secret, "status", Status.PROSES, note="RAHASIA-CATATAN")
    made["secret"] = secret
    for n, c in enumerate((secret, made["proses"], made["selesai"])):
        db.session.add(Attachment(complaint=c, original_name="lampiran-rahasia.jpg", stored_name=f"x{n}{c.id}",
                                  content_type="image/jpeg", size=1, sha256="0" * 64))
    db.session.commit()
    return {"complaints": made, "opds": [road, health, unit], "categories": [cat, cat2], "kominfo": kominfo}


def assert_no_leak(body: str, where: str = "") -> None:
    for s in LEAKS:
        assert s not in body, f"{s!r} leaked in {where}"

"""Leak sweep of the compiled documents (docs/DOMAIN.md §6): the rakor report PDF carries figures, never a
reporter's identity or the text of a confidential complaint, whatever the complaints say about
themselves."""

from __future__ import annotations

import io

from pypdf import PdfReader

from portal.extensions import db
from portal.meetings.report import operations as ops
from tests.meetings.report.conftest import wib

NAME = "Sutrisno Wibowo"
NIK = "3604011203850007"
PHONE = "081298765432"
EMAIL = "sutrisno.w@example.net"
SECRET = "Rahasia pengadaan gudang"


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_rakor_report_pdf_carries_no_reporter_identity_or_confidential_text(app, seeded, make):
    opd = make.opd("DLH", "Dinas Lingkungan Hidup")
    reporter = {"name": NAME, "nik": NIK, "phone": PHONE, "email": EMAIL}
    said = f"Saya {NAME}, NIK {NIK}, HP {PHONE}, surel {EMAIL}."
    make.complaint(tracking_no="9400001", status="proses", opd=opd, submitted_at=wib(2025, 10, 7),
                   verified_at=wib(2025, 10, 7, 10), dispatched_at=wib(2025, 10, 7, 11),
                   title=f"Sampah menumpuk — {NAME}", text=said, location=f"Jl. Melati 3, a.n. {NAME}",
                   reporter=reporter, is_anonymous=True)
    make.complaint(tracking_no="9400002", status="selesai", opd=opd, submitted_at=wib(2025, 11, 4),
                   verified_at=wib(2025, 11, 4, 10), dispatched_at=wib(2025, 11, 4, 11),
                   finished_at=wib(2025, 11, 20), title=SECRET, text=f"{SECRET}: {said}",
                   reporter=reporter, is_confidential=True)
    db.session.commit()
    m = seeded["meeting"]
    text = _text(ops.render_pdf_bytes(m, None, ops.figures_for(m, None, fresh=True)))
    flat = "".join(text.split())
    assert "DinasLingkunganHidup" in flat or "DLH" in flat  # the OPD's figures are in the report …
    for value in (NAME, NIK, PHONE, EMAIL, SECRET, "Melati"):  # … nothing of who reported what
        assert "".join(value.split()) not in flat, value

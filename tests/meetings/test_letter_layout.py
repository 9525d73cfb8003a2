"""Letters keep their signature block on one page and the place-and-date on one line."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.meetings import documents
from portal.meetings.models import Speaker


def _pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.app_config(HEAD_OF_OFFICE_NAME="Drs. Budi Santoso", HEAD_OF_OFFICE_NIP="196501011990031001")
def test_signature_block_never_splits_and_the_date_stays_on_one_line(rakor, app):
    m = rakor.meeting
    m.letter_date = dt.date(2026, 12, 2)
    db.session.flush()
    head = app.config["HEAD_OF_OFFICE_NAME"]
    pages_seen = set()
    for n in range(0, 24):
        if n:
            db.session.add(Speaker(meeting=m, name=f"Narasumber Tambahan {n} dengan nama yang cukup panjang",
                                   title="Asisten Deputi Pelayanan Publik", institution="KemenPANRB",
                                   topic="Mekanisme penyelesaian pengaduan dan kualitas tindak lanjut"))
            db.session.flush()
            db.session.refresh(m)
        with app.test_request_context():
            pages = _pages(documents.invitation_pdf(m))
        letter = [p for p in pages if "Kepada Yth." in p or "KEPALA" in p]
        pages_seen.add(len(pages))
        # the block: the title line, the space and the name are on one page
        holding = [i for i, p in enumerate(pages) if "KEPALA DINAS" in p and head in p and "1990031001" in p]
        assert holding, f"{n} speakers: signature split across pages"
        first = "\n".join(letter[:1])
        assert "Serang, 2 Desember 2026" in first.replace("\n", "\n"), f"{n} speakers: the date wrapped"
    assert len(pages_seen) >= 2  # the letter did grow past a page boundary

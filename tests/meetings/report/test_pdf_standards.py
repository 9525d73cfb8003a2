"""Documents to standard: tagged PDF (PDF/UA-1) for every report and letter; an approved report
archived as PDF/A-3b with its frozen figures embedded as JSON. Read back with pypdf."""

import io
import json
import re

from pypdf import PdfReader

from portal.extensions import db
from portal.meetings import documents
from portal.meetings.report import operations as ops
from tests.meetings.report.test_workflow import staff  # noqa: F401  (fixture)


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def assert_tagged(reader: PdfReader, title_part: str) -> None:
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/StructTreeRoot"].get_object().get("/K")  # a structure tree with content
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "id"
    assert title_part in reader.metadata.title
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_a_draft_report_is_tagged_pdf_ua(app, seeded):
    m = seeded["meeting"]
    reader = _reader(ops.render_pdf_bytes(m, None, ops.figures_for(m, None, fresh=True)))
    assert_tagged(reader, "Laporan Rapat Koordinasi SP4N-LAPOR!")
    assert 'pdfuaid:part="1"' in _xmp(reader) or "<pdfuaid:part>1</pdfuaid:part>" in _xmp(reader)
    assert "pdfaid:part" not in _xmp(reader)
    assert not reader.attachments


def test_an_approved_report_is_archived_as_pdf_a3b_with_its_frozen_figures(app, seeded, staff):  # noqa: F811
    m = seeded["meeting"]
    rep = ops.ensure_report(m)
    ops.approve(rep, staff["approver"])
    db.session.commit()
    reader = _reader(ops.render_pdf_bytes(m, rep, rep.figures))
    xmp = _xmp(reader)
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', xmp)
    assert re.search(r'pdfaid:conformance="B"|<pdfaid:conformance>B</pdfaid:conformance>', xmp)
    assert_tagged(reader, "Laporan Rapat Koordinasi SP4N-LAPOR!")
    embedded = json.loads(reader.attachments["figures.json"][0])
    assert embedded == json.loads(json.dumps(rep.figures, default=str))


def test_letters_are_tagged_pdf_ua(app, seeded):
    m = seeded["meeting"]
    assert_tagged(_reader(documents.attendance_pdf(m)), "Daftar hadir")
    assert_tagged(_reader(documents.invitation_pdf(m)), "Surat undangan")

"""Documents to standard: tagged PDF (PDF/UA-1) for every report and letter; an approved report
archived as PDF/A-3b with its frozen figures embedded as JSON. Read back with pypdf."""

import io
import json
import logging
import re

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.meetings import documents
from portal.meetings.report import operations as ops
from portal.meetings.report import periodic
from portal.meetings.report.models import PeriodicKind
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


def _struct_tags(reader: PdfReader) -> set[str]:
    """Every structure type in the tagged PDF's structure tree."""
    seen: set[str] = set()
    todo = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while todo:
        node = todo.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, list):
            todo.extend(node)
            continue
        if not hasattr(node, "get"):
            continue
        if node.get("/S"):
            seen.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            todo.extend(kids if isinstance(kids, list) else [kids])
    return seen


def _no_untagged_fallback(caplog) -> None:
    assert not [r for r in caplog.records if "tagging failed" in r.getMessage()]


@pytest.mark.parametrize("kind,quarter,title", [
    (PeriodicKind.QUARTERLY, 4, "Laporan Triwulan SP4N-LAPOR! TW IV 2025"),
    (PeriodicKind.ANNUAL, 0, "Evaluasi Tahunan Pengelolaan SP4N-LAPOR! 2025"),
])
def test_quarterly_and_annual_reports_are_tagged_pdf_ua(app, seeded, caplog, kind, quarter, title):
    caplog.set_level(logging.WARNING)
    f = periodic.compile_periodic(kind, 2025, quarter)
    reader = _reader(periodic.render_pdf_bytes(None, f))
    _no_untagged_fallback(caplog)
    assert_tagged(reader, title)
    assert 'pdfuaid:part="1"' in _xmp(reader) or "<pdfuaid:part>1</pdfuaid:part>" in _xmp(reader)
    tags = _struct_tags(reader)
    assert {"/Document", "/H1", "/H2", "/Table", "/TR", "/TH", "/TD", "/Figure"} <= tags, tags


def test_an_approved_quarterly_report_is_tagged_pdf_a3b(app, seeded, staff, caplog):  # noqa: F811
    caplog.set_level(logging.WARNING)
    rep = periodic.ensure(PeriodicKind.QUARTERLY, 2025, 4)
    periodic.approve(rep, staff["approver"])
    db.session.commit()
    reader = _reader(rep.pdf)
    _no_untagged_fallback(caplog)
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', _xmp(reader))
    assert_tagged(reader, "Laporan Triwulan SP4N-LAPOR! TW IV 2025")
    assert {"/Table", "/TH", "/TD"} <= _struct_tags(reader)
    assert json.loads(reader.attachments["figures.json"][0])["title"] == rep.figures["title"]


def test_the_rakor_report_structure_tree_has_tables_and_headings(app, seeded, caplog):
    caplog.set_level(logging.WARNING)
    m = seeded["meeting"]
    reader = _reader(ops.render_pdf_bytes(m, None, ops.figures_for(m, None, fresh=True)))
    _no_untagged_fallback(caplog)
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Figure"} <= _struct_tags(reader)


def test_a_caption_at_the_foot_of_a_page_stays_with_its_table(app, caplog):
    """The cause of the untagged quarterly/annual PDFs: a caption alone at a page's end left WeasyPrint
    a table wrapper without a table. Slide a captioned table across the page end."""
    from flask import render_template_string

    from portal.core.pdf import html_to_pdf

    caplog.set_level(logging.WARNING)
    rows = "".join(f"<tr><th scope='row'>Baris {i}</th><td>{i}</td></tr>" for i in range(4))
    with app.test_request_context():
        for tenths in range(215, 275, 3):
            html = render_template_string(
                "{% extends 'pdf/_base.html' %}{% block title %}Uji{% endblock %}{% block body %}"
                f"<div style='height: {tenths / 10}cm'>Isi</div><table><caption>Judul tabel</caption>"
                f"<thead><tr><th scope='col'>A</th><th scope='col'>B</th></tr></thead><tbody>{rows}</tbody></table>"
                "{% endblock %}")
            reader = _reader(html_to_pdf(html))
            _no_untagged_fallback(caplog)
            assert "/Table" in _struct_tags(reader), tenths

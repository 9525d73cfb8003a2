"""The workflow both reports share (portal.meetings.report.workflow), on each kind of report."""

import datetime as dt

import pytest

from portal.meetings.report import build, workflow
from portal.meetings.report.models import PeriodicKind, RakorReport, ReportStatus
from portal.meetings.report.workflow import ReportError
from tests.meetings.report.conftest import make_meeting


@pytest.fixture
def reports(make):
    from portal.meetings.report import operations as ops
    from portal.meetings.report import periodic

    return {"rakor": ops.ensure_report(make_meeting()),
            "periodic": periodic.ensure(PeriodicKind.QUARTERLY, 2027, 1)}


@pytest.mark.parametrize("kind", ["rakor", "periodic"])
def test_steps_on_either_report(reports, make, kind):
    rep = reports[kind]
    kominfo = make.user("kominfo", name="Admin Kominfo")
    head = make.user("pimpinan", name="Kepala Dinas")
    assert workflow.permissions(rep, kominfo) == {"may_write": True, "may_approve": False}
    assert workflow.permissions(None, head) == {"may_write": False, "may_approve": True}
    workflow.save_written(rep, {"analysis_delay": "  Penghubung berganti.  ", "other": "x"}, kominfo)
    assert rep.written() == {"analysis_delay": "Penghubung berganti.", "analysis_themes": "",
                             "improvement_plan": ""}
    with pytest.raises(ReportError, match=r"^tidak boleh$"):
        workflow.freeze(rep, kominfo, lambda: {"n": 1}, denied="tidak boleh")
    with pytest.raises(ReportError, match="Hanya laporan yang sudah disetujui"):
        workflow.publish(rep, kominfo)
    frozen = workflow.freeze(rep, head, lambda: {"n": 1}, denied="tidak boleh")
    assert rep.figures == frozen == {"n": 1} and rep.data_hash == build.data_hash({"n": 1})
    assert rep.status == ReportStatus.APPROVED and rep.approved_by_id == head.id and rep.is_frozen
    assert workflow.permissions(rep, head) == {"may_write": False, "may_approve": False}
    with pytest.raises(ReportError, match="sudah disetujui; bagian tertulis"):
        workflow.save_written(rep, {"analysis_delay": "x"}, kominfo)
    with pytest.raises(ReportError, match=r"^Laporan ini sudah disetujui\.$"):
        workflow.freeze(rep, head, lambda: {"n": 2}, denied="tidak boleh")
    with pytest.raises(ReportError, match="Kominfo"):
        workflow.publish(rep, head)
    with pytest.raises(ReportError, match="PDF final belum dibuat"):
        workflow.publish(rep, kominfo, needs_pdf=True)
    workflow.store_pdf(rep, b"%PDF-1.7 x")
    assert rep.pdf_size == 10 and len(rep.pdf_sha256) == 64 and rep.pdf_generated_at is not None
    workflow.publish(rep, kominfo, needs_pdf=True)
    assert rep.status == ReportStatus.PUBLISHED and rep.published_by_id == kominfo.id


def test_rakor_approval_drops_the_draft_pdf(reports, make, monkeypatch):
    from portal.meetings.report import operations as ops

    rep: RakorReport = reports["rakor"]
    workflow.store_pdf(rep, b"%PDF draft")
    monkeypatch.setattr(build, "compile_report", lambda meeting: {"meeting": {"id": meeting.id}})
    ops.approve(rep, make.user("pimpinan", name="Kepala Dinas"))
    assert rep.figures == {"meeting": {"id": rep.meeting_id}}
    assert (rep.pdf, rep.pdf_sha256, rep.pdf_size, rep.pdf_generated_at) == (None, None, None, None)


def test_document_context_and_dates(reports):
    draft = workflow.document_context(None, {"x": 1})
    assert draft["is_draft"] and draft["rep"] is None and draft["f"] == {"x": 1}
    assert draft["written"] == {"analysis_delay": "", "analysis_themes": "", "improvement_plan": ""}
    assert str(draft["status_label"]) == "Draf"
    assert workflow.iso_date("2027-02-28") == dt.date(2027, 2, 28) and workflow.iso_date(None) is None
    assert workflow.iso_datetime("2027-01-05T10:00:00") == dt.datetime(2027, 1, 5, 10, tzinfo=dt.UTC)
    assert workflow.iso_datetime("2027-01-05T10:00:00+07:00").utcoffset() == dt.timedelta(hours=7)
    assert workflow.iso_datetime("") is None

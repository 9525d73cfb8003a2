"""The quarterly report (calendar TW) and the annual evaluation: figures, workflow, PDF, CLI."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.meetings.report import periodic
from portal.meetings.report.models import PeriodicKind, ReportStatus
from portal.meetings.report.operations import ReportError


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_quarter_figures_are_the_calendar_quarter(seeded):
    f = periodic.compile_periodic(PeriodicKind.QUARTERLY, 2025, 4)
    assert f["period"] == {"start": "2025-10-01", "end": "2025-12-31"}
    assert f["previous_period"] == {"start": "2025-07-01", "end": "2025-09-30"}
    assert [q["label"] for q in f["quarters"]] == ["TW IV 2025"]
    # 6 Oct ×3, 3 Nov (Tunda), 1 Dec
    assert f["indicators"]["numbered"]["2"] == 5
    annual = periodic.compile_periodic(PeriodicKind.ANNUAL, 2025)
    assert annual["period"] == {"start": "2025-01-01", "end": "2025-11-30"}
    assert [q["label"] for q in annual["quarters"]] == ["TW I 2025", "TW II 2025", "TW III 2025", "TW IV 2025"]


def test_workflow_needs_a_named_approver(seeded, make):
    kominfo = make.user("kominfo", name="Admin Kominfo")
    head = make.user("pimpinan", name="Kepala Dinas Kominfo")
    rep = periodic.ensure(PeriodicKind.QUARTERLY, 2025, 4)
    periodic.save_written(rep, {"analysis_delay": "Penghubung DPUPR berganti."}, kominfo)
    with pytest.raises(ReportError):
        periodic.approve(rep, kominfo)  # a Kominfo account without the approval right
    periodic.approve(rep, head)
    assert rep.status == ReportStatus.APPROVED and rep.approved_by_id == head.id
    assert rep.figures["period"]["start"] == "2025-10-01" and len(rep.data_hash) == 64
    with pytest.raises(ReportError):
        periodic.save_written(rep, {"analysis_delay": "x"}, kominfo)
    text = _text(rep.pdf)
    assert "LAPORAN TRIWULAN SP4N-LAPOR! TW IV 2025" in text and "Penghubung DPUPR berganti." in text
    assert "Kepala Bidang Pengelolaan Informasi dan Kemitraan Komunikasi" in text
    assert "Kepala Dinas Kominfo" in text
    periodic.publish(rep, kominfo)
    assert rep.status == ReportStatus.PUBLISHED


def test_cli_quarterly_and_annual(runner, seeded, tmp_path):
    out = tmp_path / "tw4.pdf"
    r = runner.invoke(args=["report", "quarterly", "--year", "2025", "--quarter", "4", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "2025-10-01–2025-12-31" in r.output and "draft" in r.output
    assert "TW IV 2025" in _text(out.read_bytes())
    bad = runner.invoke(args=["report", "quarterly", "--year", "2025", "--quarter", "5", "--out", str(out)])
    assert bad.exit_code == 1 and "1, 2, 3 or 4" in bad.output
    year = tmp_path / "2025.pdf"
    r = runner.invoke(args=["report", "annual", "--year", "2025", "--out", str(year)])
    assert r.exit_code == 0, r.output
    assert "Inspektur" in _text(year.read_bytes())


def test_pages_roles_and_approval(client, seeded, make, login_as):
    kominfo = make.user("kominfo", name="Admin Kominfo")
    head = make.user("pimpinan", name="Kepala Dinas Kominfo")
    opd_user = make.user("opd", opd=seeded["dinkes"])
    db.session.commit()
    url = "/rapat/laporan-berkala/triwulan/2025/4"
    login_as(opd_user)
    assert client.get(url).status_code == 403
    login_as(kominfo)
    page = client.get(url).get_data(as_text=True)
    assert "TW IV 2025" in page and "Setujui dan bekukan angka" not in page
    assert client.get("/rapat/laporan-berkala").status_code == 200
    assert client.post(f"{url}/setujui").status_code == 403
    login_as(head)
    assert "Setujui dan bekukan angka" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/setujui").status_code in (303, 200)
    rep = periodic.find(PeriodicKind.QUARTERLY, 2025, 4)
    assert rep.status == ReportStatus.APPROVED
    pdf = client.get(f"{url}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data == rep.pdf
    assert client.get("/rapat/laporan-berkala/triwulan/2025/5").status_code == 404
    assert dt.date(2025, 10, 1).isoformat() == rep.figures["period"]["start"]

"""IKM (PermenPANRB 14/2017) in the monthly indicators, the quarterly and the rakor reports, against
hand-computed figures; frozen with the rest of the figures at approval (docs/DOMAIN.md §12)."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from portal.complaints import survey
from portal.extensions import db
from portal.meetings.report import build, periodic
from portal.meetings.report import operations as ops
from portal.meetings.report.models import PeriodicKind
from tests.meetings.report.test_workflow import staff  # noqa: F401  (fixture)

# four respondents in the rakor period (1 Sep 2025 – 28 Feb 2026):
#   element sums 14 14 11 15 12 14 15 11 9 = 115; means 3.50 3.50 2.75 3.75 3.00 3.50 3.75 2.75 2.25
#   IKM = 115 / 36 × 25 = 79.861… → 79.86, B (Baik); lowest u9 (2.25); target 95 not met
R1 = [4, 4, 3, 4, 3, 4, 4, 3, 2]  # Dinkes, October 2025
R2 = [3, 4, 3, 4, 3, 3, 4, 3, 2]  # Dinkes, October 2025
R3 = [4, 3, 2, 4, 3, 4, 4, 2, 2]  # DPUPR, December 2025
R4 = [3, 3, 3, 3, 3, 3, 3, 3, 3]  # Dinkes, January 2026
# Dinkes: sums 10 11 9 11 9 10 11 9 7 = 87 → 87/27 × 25 = 80.56 (B), lowest u9 (2.33)
# DPUPR: 28/9 × 25 = 77.78 (B), lowest u3, u8, u9 (2.00)
# TW IV 2025 (R1–R3): 88/27 × 25 = 81.48 (B)
# the previous period (Mar–Aug 2025): one respondent, all 4 → 100.00 (A); outside (March 2026): all 1


def _answers(values):
    return dict(zip(survey.KEYS, values, strict=True))


@pytest.fixture
def responses(seeded):
    dinkes, dpupr = seeded["dinkes"], seeded["dpupr"]
    for values, opd, day in ((R1, dinkes, dt.date(2025, 10, 20)), (R2, dinkes, dt.date(2025, 10, 3)),
                             (R3, dpupr, dt.date(2025, 12, 9)), (R4, dinkes, dt.date(2026, 1, 31)),
                             ([4] * 9, dinkes, dt.date(2025, 5, 2)), ([1] * 9, dpupr, dt.date(2026, 3, 1))):
        survey.enter_paper(opd, day, _answers(values))
    db.session.commit()
    return seeded


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_rakor_figures_carry_the_hand_computed_ikm(app, responses):
    f = build.compile_report(responses["meeting"], today=dt.date(2026, 3, 10))
    k = f["ikm"]
    assert k["n"] == 4
    assert [e["mean"] for e in k["elements"]] == [3.5, 3.5, 2.75, 3.75, 3.0, 3.5, 3.75, 2.75, 2.25]
    assert (k["ikm"], k["category"], k["label"]) == (79.86, "B", "Baik")
    assert k["priorities"] == ["u9"] and [e["key"] for e in k["elements"] if e["priority"]] == ["u9"]
    assert k["target"] == 95.0 and k["meets_target"] is False
    per = {r["code"]: r for r in k["per_opd"]}
    assert (per["DINKES"]["n"], per["DINKES"]["ikm"], per["DINKES"]["priorities"]) == (3, 80.56, ["u9"])
    assert (per["DPUPR"]["n"], per["DPUPR"]["ikm"], per["DPUPR"]["priorities"]) == (1, 77.78, ["u3", "u8", "u9"])
    assert f["previous"]["ikm"] == {"n": 1, "ikm": 100.0, "category": "A"}
    row = {r["key"]: r for r in f["comparison"]}["ikm"]
    assert (row["current"], row["previous"], row["delta"], row["better"]) == (79.86, 100.0, -20.14, False)


def test_rakor_preview_and_pdf_show_ikm_beside_the_target(app, client, responses, staff, login_as):  # noqa: F811
    m = responses["meeting"]
    login_as(staff["pimpinan"])
    html = client.get(f"/rapat/{m.id}/laporan").get_data(as_text=True)
    assert 'id="ikm"' in html
    assert "IKM 79,86 — mutu B (Baik), 4 responden; target kepuasan peta jalan 95%." in html
    assert "Target belum tercapai." in html and "Periode sebelumnya: 100,00 (1 responden)." in html
    assert '<tr class="priority"><th scope="row">U9 Sarana dan prasarana</th>' in html
    text = _text(ops.render_pdf_bytes(m, None, ops.figures_for(m, None, fresh=True)))
    assert "IKM 79,86 — mutu B (Baik), 4 responden" in text
    assert "U9 Sarana dan prasarana 2,25 56,25Ya — nilai terendah" in text.replace("56,25 Ya", "56,25Ya")


def test_ikm_is_frozen_with_the_approved_report(app, client, responses, staff, login_as):  # noqa: F811
    m = responses["meeting"]
    rep = ops.ensure_report(m)
    ops.approve(rep, staff["approver"])
    db.session.commit()
    assert rep.figures["ikm"]["ikm"] == 79.86
    survey.enter_paper(responses["dinkes"], dt.date(2025, 11, 1), _answers([1] * 9))  # a late questionnaire
    db.session.commit()
    assert build.satisfaction(m.period_start, m.period_end)["n"] == 5  # live figures moved on
    login_as(staff["pimpinan"])
    html = client.get(f"/rapat/{m.id}/laporan").get_data(as_text=True)
    assert "IKM 79,86 — mutu B (Baik), 4 responden" in html
    assert "IKM 79,86 — mutu B (Baik), 4 responden" in _text(ops.render_pdf_bytes(m, rep, rep.figures))


def test_quarterly_report_html_and_pdf_carry_ikm(app, client, responses, staff, login_as):  # noqa: F811
    f = periodic.compile_periodic(PeriodicKind.QUARTERLY, 2025, 4)
    assert (f["ikm"]["n"], f["ikm"]["ikm"], f["ikm"]["category"]) == (3, 81.48, "B")
    assert f["ikm"]["priorities"] == ["u9"]
    login_as(staff["pimpinan"])
    html = client.get("/rapat/laporan-berkala/triwulan/2025/4").get_data(as_text=True)
    assert "IKM 81,48 — mutu B (Baik), 3 responden; target kepuasan peta jalan 95%." in html
    assert "IKM 81,48 — mutu B (Baik), 3 responden" in _text(periodic.render_pdf_bytes(None, f))
    annual = periodic.compile_periodic(PeriodicKind.ANNUAL, 2025)  # Jan–Nov 2025: May, Oct, Oct
    assert annual["ikm"]["n"] == 3


def test_monthly_indicators_page_and_downloads_carry_ikm(app, client, responses, staff, login_as):  # noqa: F811
    login_as(staff["pimpinan"])
    html = client.get("/rapat/indikator?dari=2025-10&sampai=2026-01").get_data(as_text=True)
    assert "Indeks Kepuasan Masyarakat (IKM, PermenPANRB 14/2017); target kepuasan peta jalan 95" in html
    csv = client.get("/rapat/indikator.csv?dari=2025-10&sampai=2026-01").get_data(as_text=True)
    lines = {line.split(",")[0]: line for line in csv.splitlines()}
    # Oct (R1, R2): 60/18 × 25 = 83.33; Nov none; Dec (R3) 77.78; Jan (R4) 75.00; whole 79.86
    assert lines["IKM"].endswith(",83.33,–,77.78,75.0,79.86")
    assert lines["IKM-n"].endswith(",2,0,1,1,4")
    assert lines["IKM-p"].split(",")[-1] == "U9"
    dinkes = client.get("/rapat/indikator.csv?dari=2025-10&sampai=2026-01&opd=DINKES").get_data(as_text=True)
    assert next(ln for ln in dinkes.splitlines() if ln.startswith("IKM-n")).endswith(",2,0,0,1,3")

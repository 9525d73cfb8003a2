"""The reporter's survey from the tracking page, the public IKM, open data and paper entry."""

import datetime as dt
import json

import pytest

from portal.complaints import operations as ops
from portal.complaints import survey
from portal.extensions import db

ANSWERS = dict(zip(survey.KEYS, ["4", "4", "3", "4", "3", "4", "4", "3", "2"], strict=True))


@pytest.fixture
def finished(make):
    c = make.complaint("SKM-9", "proses", opd=make.opd("DPUPR", "Dinas PUPR"),
                       reporter={"name": "Sulastri Wibowo", "email": "sulastri@contoh.id"},
                       dispatched_at=dt.datetime(2025, 2, 3, 1, tzinfo=dt.UTC),
                       first_followup_at=dt.datetime(2025, 2, 5, 1, tzinfo=dt.UTC))
    ops.finish(c, None)
    db.session.commit()
    return c


def test_reporter_journey_once_with_the_code(client, finished):
    page = client.get("/lacak/SKM-9").get_data(as_text=True)
    assert 'href="/lacak/SKM-9/survei"' in page
    code = survey.code_for(finished)
    form = client.get(f"/lacak/SKM-9/survei?kode={code}").get_data(as_text=True)
    assert f'value="{code}"' in form and form.count('type="radio"') == 36
    r = client.post("/lacak/SKM-9/survei", data={**ANSWERS, "kode": "XXXX-XXXX"})
    assert r.status_code == 400 and "Kode survei tidak cocok" in r.get_data(as_text=True)
    r = client.post("/lacak/SKM-9/survei", data={**ANSWERS, "u5": "", "kode": code})
    assert r.status_code == 400 and 'checked' in r.get_data(as_text=True)  # answers kept
    assert survey.ikm()["n"] == 0
    r = client.post("/lacak/SKM-9/survei", data={**ANSWERS, "kode": code, "saran": "Terima kasih"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/lacak/SKM-9/survei/terima-kasih")
    assert survey.ikm()["n"] == 1
    again = client.post("/lacak/SKM-9/survei", data={**ANSWERS, "kode": code})
    assert again.status_code == 409 and "sudah diisi" in again.get_data(as_text=True)
    assert survey.ikm()["n"] == 1


def test_no_survey_before_the_complaint_is_finished(client, make):
    c = make.complaint("SKM-8", "proses")
    db.session.commit()
    assert 'href="/lacak/SKM-8/survei"' not in client.get("/lacak/SKM-8").get_data(as_text=True)
    r = client.post("/lacak/SKM-8/survei", data={**ANSWERS, "kode": survey.code_for(c)})
    assert r.status_code == 409 and survey.ikm()["n"] == 0
    assert client.get("/lacak/NOPE/survei").status_code == 404


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_SURVEY="2/hour")
def test_submissions_are_rate_limited(client, finished):
    for _ in range(2):
        assert client.post("/lacak/SKM-9/survei", data={**ANSWERS, "kode": "WRONG"}).status_code == 400
    assert client.post("/lacak/SKM-9/survei", data={**ANSWERS, "kode": survey.code_for(finished)}).status_code == 429
    assert survey.ikm()["n"] == 0


def test_ikm_in_public_open_data_and_dashboard_aggregates_only(client, finished):
    survey.submit(finished, survey.code_for(finished), ANSWERS, "Sulastri minta lebih cepat")
    db.session.commit()
    year = dt.date.today().year
    q = f"?from={year - 1}-01-01&to={year}-12-31"
    html = client.get("/ikm" + q).get_data(as_text=True)
    # one respondent: 31/9 × 25 = 86.11 (B), lowest element U9
    assert "86,11" in html and "Dinas PUPR" in html and "Sarana dan prasarana" in html
    data = json.loads(client.get("/data/ikm.json" + q).get_data(as_text=True))
    assert data["semua"]["ikm"] == 86.11 and data["semua"]["n"] == 1 and data["target"] == 95.0
    assert data["opd"][0]["code"] == "DPUPR" and data["opd"][0]["priorities"] == ["u9"]
    csv_text = client.get("/data/ikm.csv" + q).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("code,name,n,ikm,category,u1")
    for body in (json.dumps(data), csv_text, html):
        assert "Sulastri" not in body and "SKM-9" not in body
    dash = client.get("/").get_data(as_text=True)
    assert "Indeks Kepuasan Masyarakat" in dash and "target kepuasan peta jalan: 95%" in dash
    assert client.get("/data/ikm.xml").status_code == 404


def test_paper_questionnaires_by_kominfo_only(client, make, login_as):
    opd = make.opd("DINSOS", "Dinas Sosial")
    login_as(make.user("opd", opd=opd))
    assert client.post("/admin/survei-kertas", data={**ANSWERS, "month": "2025-03"}).status_code == 403
    login_as(make.user("kominfo"))
    page = client.get("/admin/survei-kertas").get_data(as_text=True)
    assert '<option value="">— admin provinsi —</option>' in page and 'name="u9"' in page
    r = client.post("/admin/survei-kertas", data={**ANSWERS, "opd": str(opd.id), "month": "2025-13"})
    assert r.status_code == 400
    r = client.post("/admin/survei-kertas", data={**ANSWERS, "opd": str(opd.id), "month": "2025-03"})
    assert r.status_code == 303
    row = db.session.scalar(db.select(survey.SurveyResponse))
    assert (row.source, row.opd_id, row.period) == ("paper", opd.id, dt.date(2025, 3, 1))


def test_the_receipt_prints_the_survey_code(client, make, login_as):
    c = make.complaint("RCPT-1", source="staff")
    login_as(make.user("kominfo"))
    html = client.get("/admin/laporan-baru/RCPT-1/tanda-terima").get_data(as_text=True)
    assert survey.code_for(c) in html

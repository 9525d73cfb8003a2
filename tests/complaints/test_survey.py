"""SKM/IKM (PermenPANRB 14/2017): the method against hand-computed fixtures, codes, one response each."""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.complaints import survey
from portal.core.models import OutboxMessage
from portal.extensions import db

#: three respondents; element sums 11 11 8 12 9 11 12 8 6 (worked by hand below)
R1 = [4, 4, 3, 4, 3, 4, 4, 3, 2]
R2 = [3, 4, 3, 4, 3, 3, 4, 3, 2]
R3 = [4, 3, 2, 4, 3, 4, 4, 2, 2]


def _answers(values):
    return dict(zip(survey.KEYS, values, strict=True))


@pytest.fixture
def three(make):
    a, b = make.opd("DINKES", "Dinas Kesehatan"), make.opd("DISDIK", "Dinas Pendidikan")
    for values, opd in ((R1, a), (R2, a), (R3, b)):
        survey.enter_paper(opd, dt.date(2025, 3, 14), _answers(values))
    db.session.commit()
    return a, b


def test_ikm_of_three_respondents_matches_the_hand_computation(app, three):
    # means 3.667 3.667 2.667 4 3 3.667 4 2.667 2 → their mean 88/27 = 3.2593 → × 25 = 81.48: B (Baik)
    k = survey.ikm(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert k["n"] == 3
    assert [e["mean"] for e in k["elements"]] == [3.67, 3.67, 2.67, 4.0, 3.0, 3.67, 4.0, 2.67, 2.0]
    assert k["ikm"] == 81.48
    assert (k["category"], k["label"]) == ("B", "Baik")
    assert k["priorities"] == ["u9"]  # the lowest element, 2.00
    assert k["target"] == 95.0


def test_ikm_per_opd_and_ties_among_the_lowest(app, three):
    a, _b = three
    per = {r["code"]: r for r in survey.ikm_per_opd(dt.date(2025, 3, 1), dt.date(2025, 3, 31))}
    # DINKES: sums 7 8 6 8 6 7 8 6 4 over 2 → 60/2/9 × 25 = 83.33 (B)
    assert (per["DINKES"]["n"], per["DINKES"]["ikm"], per["DINKES"]["category"]) == (2, 83.33, "B")
    # DISDIK: 28/9 × 25 = 77.78 (B); three elements share the lowest value 2
    assert (per["DISDIK"]["n"], per["DISDIK"]["ikm"], per["DISDIK"]["priorities"]) == (1, 77.78, ["u3", "u8", "u9"])
    assert survey.ikm(dt.date(2025, 1, 1), dt.date(2025, 12, 31), opd=a)["ikm"] == 83.33
    # the period is the response's month
    assert survey.ikm(dt.date(2025, 4, 1), dt.date(2025, 12, 31))["n"] == 0
    assert survey.ikm(dt.date(2025, 4, 1), dt.date(2025, 12, 31))["ikm"] is None


@pytest.mark.parametrize(("value", "letter"), [
    (100.0, "A"), (88.31, "A"), (88.30, "B"), (76.61, "B"), (76.60, "C"), (65.00, "C"), (64.99, "D"), (25.0, "D")])
def test_quality_category_boundaries(value, letter):
    assert survey.category(value)[0] == letter


def test_extremes_of_the_scale():
    assert survey.ikm_from_sums(2, dict.fromkeys(survey.KEYS, 8))["ikm"] == 100.0
    low = survey.ikm_from_sums(2, dict.fromkeys(survey.KEYS, 2))
    assert (low["ikm"], low["category"], low["label"]) == (25.0, "D", "Tidak Baik")


@pytest.fixture
def finished(make):
    opd = make.opd("DPUPR")
    c = make.complaint("SKM-1", "proses", opd=opd, reporter={"name": "Ani", "email": "ani@contoh.id"},
                       dispatched_at=dt.datetime(2025, 2, 3, 1, tzinfo=dt.UTC),
                       first_followup_at=dt.datetime(2025, 2, 5, 1, tzinfo=dt.UTC))
    ops.finish(c, None)
    c.finished_at = dt.datetime(2025, 2, 28, 20, tzinfo=dt.UTC)  # 1 March in WIB
    db.session.commit()
    return c


def test_the_closing_notice_carries_the_code(app, finished):
    msg = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "finished"))
    assert msg.to_addr == "ani@contoh.id"
    code = survey.code_for(finished)
    assert code in msg.body_text and "/lacak/SKM-1/survei?kode=" in msg.body_text
    assert len(code) == 9 and code[4] == "-"


def test_one_response_per_complaint_kept_apart_from_the_reporter(app, finished):
    code = survey.code_for(finished)
    with pytest.raises(survey.SurveyError):
        survey.submit(finished, "AAAA-AAAA", _answers(R1))
    with pytest.raises(survey.SurveyError):
        survey.submit(finished, code, {**_answers(R1), "u3": 5})
    row = survey.submit(finished, code.lower().replace("-", " "), _answers(R1), "Lebih cepat lagi")
    db.session.commit()
    assert (row.opd_id, row.period, row.source) == (finished.opd_id, dt.date(2025, 3, 1), "online")
    with pytest.raises(survey.SurveyError):
        survey.submit(finished, code, _answers(R2))
    assert not survey.open_for(finished)
    # the response has no way back to the complaint or the reporter
    cols = set(survey.SurveyResponse.__table__.columns.keys())
    assert cols == {"id", "opd_id", "period", "source", "suggestion", *survey.KEYS}
    assert set(survey.SurveyCodeUse.__table__.columns.keys()) == {"complaint_id"}


def test_an_unfinished_complaint_has_no_survey(app, make):
    c = make.complaint("SKM-2", "proses")
    with pytest.raises(survey.SurveyError):
        survey.submit(c, survey.code_for(c), _answers(R1))
    assert not survey.open_for(c)


def test_codes_differ_per_complaint_and_per_secret(app, make):
    a, b = make.complaint("SKM-3"), make.complaint("SKM-4")
    assert survey.code_for(a) != survey.code_for(b)
    before = survey.code_for(a)
    app.config["SECRET_KEY"] = "another"
    assert survey.code_for(a) != before

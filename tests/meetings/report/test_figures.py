"""The report's figures: equal to the stats recap for the same period, Tabel 2, §3.5, KemenPANRB."""

import datetime as dt

import pytest

from portal.complaints import stats
from portal.meetings.report import build as report
from tests.meetings.report.conftest import PERIOD


@pytest.fixture
def figures(seeded):
    return report.compile_report(seeded["meeting"], today=dt.date(2026, 3, 10))


def test_recaps_equal_the_stats_module_for_the_same_period(seeded, figures):
    assert figures["province"] == stats.recap(*PERIOD)
    assert figures["per_opd"] == stats.recap_per_opd(*PERIOD)
    p = figures["province"]
    # 8 complaints in the period; Tunda and Arsip are outside Total
    assert (p["belum_terverifikasi"], p["belum_ditindaklanjuti"], p["proses"], p["selesai"], p["tunda"],
            p["arsip"], p["total"]) == (1, 1, 1, 3, 1, 1, 6)
    assert p["persen_tl"] == 66.7
    prev = stats.recap(*report.previous_period(*PERIOD))
    assert figures["previous"]["province"] == prev
    assert prev["selesai"] == 1 and prev["proses"] == 1


def test_figures_equal_the_public_stats_api(client, seeded, figures):
    body = client.get("/api/v1/stats?from=2025-09-01&to=2026-02-28").get_json()
    for key in stats.RECAP_KEYS:
        assert body[key] == figures["province"][key], key


def test_tabel2_quarters_months_and_handling_against_norms(figures):
    qs = figures["quarters"]
    # calendar quarters: a period from September cuts TW III 2025 and TW I 2026
    assert [(q["label"], q["start"], q["end"]) for q in qs] == [
        ("TW III 2025", "2025-09-01", "2025-09-30"), ("TW IV 2025", "2025-10-01", "2025-12-31"),
        ("TW I 2026", "2026-01-01", "2026-02-28")]
    assert [m["start"] for m in qs[1]["months"]] == ["2025-10-01", "2025-11-01", "2025-12-01"]
    oct_ = qs[1]["months"][0]
    assert oct_["received"] == 3 and oct_["selesai"] == 2 and oct_["proses"] == 1
    assert qs[1]["summary"] == {**qs[1]["summary"], **stats.recap(dt.date(2025, 10, 1), dt.date(2025, 12, 31))}
    (rs,) = [c for c in qs[1]["categories"] if c["category"] == "Kesehatan > Rumah Sakit"]
    # dispatched Tue 7 Oct, norm 5 working days → due Tue 14 Oct; finished 9 Oct (faster), 26 Oct (slower)
    assert rs["n"] == 2 and rs["norm_days"] == 5
    assert (rs["faster"], rs["on_time"], rs["slower"]) == (1, 0, 1)
    assert rs["mean_days"] == 11.5  # (3 + 20) / 2
    (jalan,) = [c for c in qs[1]["categories"] if c["category"] == "Infrastruktur > Jalan"]
    assert jalan["n"] == 1 and jalan["faster"] == 1
    assert qs[0]["categories"] == [] and qs[2]["categories"] == []


def test_quarter_and_previous_period_rules():
    assert report.quarter_range(2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert report.quarter_range(2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert report.quarter_of(dt.date(2024, 7, 1)) == (2024, 3)
    # a whole semester is compared with the semester before, a quarter with the quarter before
    assert report.previous_period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)) == (
        dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    assert report.previous_period(dt.date(2024, 7, 1), dt.date(2024, 12, 31)) == (
        dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert report.previous_period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)) == (
        dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    # the annual evaluation (1 January–30 November) against the same span a year earlier
    assert report.previous_period(dt.date(2025, 1, 1), dt.date(2025, 11, 30)) == (
        dt.date(2024, 1, 1), dt.date(2024, 11, 30))
    blocks = report.quarter_blocks(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert [(b[0][0], b[-1][1]) for b in blocks] == [(dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
                                                     (dt.date(2025, 4, 1), dt.date(2025, 6, 30))]


def test_monitoring_indicators(figures):
    ind = figures["indicators"]
    nv = ind["numbered"]
    assert nv["2"] == ind["received"] == 8
    assert (nv["3"], nv["4"], nv["5"]) == (7, 5, 4)
    # unfinished counts Tunda (Belum Terverifikasi, Belum Ditindaklanjuti, Proses, Tunda)
    assert nv["8"] == 3 and nv["9"] == 4
    # the Tunda complaint has no structured reason: not a postponement for incomplete files
    assert nv["10"] == 0 and nv["11"] == 0
    assert (nv["17"], nv["18"], nv["19"]) == (3, 2, 1)
    groups = {g["key"]: g["n"] for g in ind["channel_groups"]}
    assert sum(groups.values()) == 8
    assert (nv["1.1"], nv["1.2"], nv["1.3"], nv["1.4"]) == (2, 2, 2, 2)
    assert nv["20"] == 4.0  # 5, 4, 3
    assert nv["21"] is None  # nobody rated the solution
    # still open 6 Oct (Proses) and 3 Nov (Tunda) are over 60 working days on 28 Feb; 5 Jan is not
    assert nv["16"] == ind["over_60"] == 2
    # 3 each: a tie goes to the first name
    assert ind["top_category"] == {"category": "Infrastruktur > Jalan", "n": 3}
    assert nv["15"] == round((3 + 20 + 10) / 3, 1)


def test_kemenpanrb_is_evaluated_for_the_province_without_a_score(figures):
    ev = figures["kemenpanrb"]
    assert [i["key"] for i in ev["indicators"]] == ["sk", "account", "data", "quality", "plan"]
    # no SK register and no rencana aksi in this fixture: no data, never a pass
    assert ev["indicators"][0]["evidence"] is None and ev["indicators"][4]["evidence"] is None
    assert {r["code"] for r in ev["per_opd"]} == {"DINKES", "DPUPR"}
    assert all("score" not in r for r in ev["per_opd"])


def test_comparison_with_the_previous_period(figures):
    rows = {r["key"]: r for r in figures["comparison"]}
    assert rows["received"]["current"] == 8 and rows["received"]["previous"] == 2
    assert rows["received"]["delta"] == 6
    assert rows["persen_tl"]["previous"] == 100.0 and rows["persen_tl"]["better"] is False


def test_meeting_section(figures):
    m = figures["meeting"]
    assert m["decisions"] == ["Setiap OPD memperbarui SK tim pengelola."]
    assert {a["opd_code"] for a in m["action_items"]} == {"DINKES", "DPUPR"}


def test_figures_are_json_and_hash_is_stable(figures):
    import json

    again = json.loads(report.canonical_json(figures))
    assert report.data_hash(again) == report.data_hash(figures)
    assert len(report.data_hash(figures)) == 64


def test_figures_hold_no_personal_data_of_reporters(figures):
    text = report.canonical_json(figures)
    assert "Pelapor Rahasia" not in text and "+62812" not in text and "36010" not in text

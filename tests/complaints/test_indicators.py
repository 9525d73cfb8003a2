"""Monitoring indicators (docs/DOMAIN.md §8), against a hand-computed fixture (Semester I 2025)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from portal.complaints import indicators as ind
from portal.complaints.models import Channel, PostponeReason, ReplyChannel, Status
from portal.extensions import db

WIB = dt.timezone(dt.timedelta(hours=7))
H1 = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))


def wib(y, m, d, h=9, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=WIB).astimezone(dt.UTC)


def days(t, x):
    return t + dt.timedelta(days=x) if x is not None else None


@pytest.fixture
def world(make):
    dinkes = make.opd("DINKES", "Dinas Kesehatan")
    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
    rs = make.category("Kesehatan > Rumah Sakit", 5, dinkes)
    jalan = make.category("Infrastruktur > Jalan", 14, dpupr)
    kominfo = make.user("kominfo")
    S, C = Status, Channel
    rows = {
        # key: (status, opd, category, channel, submitted, verified+, dispatched+, followup+, finished,
        #       rating, solution rating, gender, disability, postpone reason)
        "c1": (S.SELESAI, dinkes, rs, C.WEBSITE, wib(2025, 1, 2), 1, 1, 3, wib(2025, 6, 30), 4, 5, "P", False, None),
        "c2": (S.SELESAI, dinkes, rs, C.SMS, wib(2025, 1, 6), 0.5, 0.5, 2, wib(2025, 3, 20), 2, None, "L", True,
               None),
        "c3": (S.PROSES, dpupr, jalan, C.EMAIL, wib(2025, 1, 3), 1, 2, 4, None, None, None, "L", False, None),
        "c4": (S.TUNDA, dpupr, jalan, C.TATAP_MUKA, wib(2025, 2, 3), 1, None, None, None, None, None, None, False,
               PostponeReason.BERKAS_BELUM_LENGKAP),
        "c5": (S.TUNDA, None, None, C.MEDIA_SOSIAL, wib(2025, 2, 4), None, None, None, None, None, None, None,
               False, PostponeReason.MENUNGGU_PELAPOR),
        "c6": (S.BELUM_DITINDAKLANJUTI, dpupr, jalan, C.TELEPON, wib(2025, 5, 2), 1, 1, None, None, None, None,
               None, False, None),
        "c7": (S.BELUM_TERVERIFIKASI, None, None, C.APLIKASI_MOBILE, wib(2025, 6, 30, 20), None, None, None, None,
               None, None, None, False, None),
        "c8": (S.ARSIP, None, None, C.WEBSITE, wib(2025, 3, 3), 1, None, None, None, None, None, None, False, None),
        # the minute after the semester: never counted
        "c9": (S.SELESAI, dinkes, rs, C.SMS, wib(2025, 7, 1, 0, 5), 0.1, 0.1, 0.2, wib(2025, 7, 2), 1, 1, "P",
               True, None),
    }
    made = {}
    for key, (st, opd, cat, ch, sub, v, d, f, fin, rating, srating, gender, dis, why) in rows.items():
        made[key] = make.complaint(
            tracking_no=f"IN{key}", status=st.value, opd=opd, category=cat, channel=ch, submitted_at=sub,
            norm_days=cat.effective_norm() if cat else 14, verified_at=days(sub, v), dispatched_at=days(sub, d),
            first_followup_at=days(sub, f), finished_at=fin, rating=rating, solution_rating=srating,
            postpone_reason=why, reporter={"gender": gender, "has_disability": dis} if gender or dis else None)
    from portal.complaints.replies import log_reporter_reply

    log_reporter_reply(made["c2"], kominfo, ReplyChannel.TELEPON, "Pelapor menelepon: sudah diperbaiki.",
                       received_at=wib(2025, 3, 1))
    log_reporter_reply(made["c2"], kominfo, ReplyChannel.SURAT, "Surat terima kasih.", received_at=wib(2025, 3, 5))
    log_reporter_reply(made["c3"], kominfo, ReplyChannel.EMAIL, "Masih rusak.", received_at=wib(2025, 2, 1))
    db.session.commit()
    return {"dinkes": dinkes, "dpupr": dpupr, "kominfo": kominfo, **made}


EXPECTED_PROVINCE = {
    "1.1": 3, "1.2": 1, "1.3": 2, "1.4": 1,
    "2": 8, "3": 6, "4": 4, "5": 3, "6": 1, "7": 1, "8": 2, "9": 5, "10": 1, "11": 2,
    "12": 1.1,   # (1 + 0.5 + 2 + 1 + 1 + 1) / 6, submission → dispatch, else verification
    "13": 1.8,   # (2 + 1.5 + 2) / 3, dispatch → first follow-up
    "14": 3.0,   # (3 + 2 + 4) / 3
    "15": 126.0,  # (179 + 73) / 2
    "16": 4,     # c1 (finished after ~120 working days), c3, c4, c5 (open past 60 working days on 30 June)
    "17": 2, "18": 1, "19": 1,
    "20": 3.0, "21": 5.0,
    "22": {"Infrastruktur > Jalan": 3, "Tanpa kategori": 3, "Kesehatan > Rumah Sakit": 2},
    "23": "Infrastruktur > Jalan",
}


def test_province_indicators_by_number(world):
    values = ind.monitoring(*H1, today=dt.date(2026, 1, 1))
    assert ind.numbered(values) == EXPECTED_PROVINCE
    assert list(ind.numbered(values)) == ind.KEYS
    assert values["n"] == {"12": 6, "13": 3, "14": 3, "15": 2, "20": 2, "21": 1}
    assert values["extra"] == {"media_sosial": 1}


def test_over_sixty_counts_working_days_not_calendar_days(world):
    # c2 finished 73 calendar days after submission: over 60 days, yet within 60 working days
    assert ind.over_working_days(*H1, opd_ids=[world["dinkes"].id], today=dt.date(2026, 1, 1)) == 1
    # the 60th working day after Monday 3 February 2025 is Friday 9 May (Feb 19 + Mar 19 — Nyepi's
    # cuti bersama 28 Mar, Idul Fitri 31 Mar — + Apr 16 — 1–7 Apr, Good Friday — + May 6 — 1 May):
    # c4, still postponed, is not over on 9 May and is on the next working day
    feb_on = (dt.date(2025, 2, 1), dt.date(2025, 6, 30))
    assert ind.over_working_days(*feb_on, opd_ids=[world["dpupr"].id], today=dt.date(2025, 5, 9)) == 0
    assert ind.over_working_days(*feb_on, opd_ids=[world["dpupr"].id], today=dt.date(2025, 5, 12)) == 1
    # the period's end bounds the reckoning for open complaints
    assert ind.over_working_days(dt.date(2025, 2, 1), dt.date(2025, 2, 28), opd_ids=[world["dpupr"].id],
                                 today=dt.date(2026, 1, 1)) == 0


def test_per_opd_and_no_data_is_null(world):
    dinkes = ind.numbered(ind.monitoring(*H1, opd_ids=[world["dinkes"].id], today=dt.date(2026, 1, 1)))
    assert (dinkes["2"], dinkes["8"], dinkes["9"], dinkes["11"], dinkes["16"], dinkes["21"]) == (2, 2, 0, 1, 1, 5.0)
    dpupr = ind.numbered(ind.monitoring(*H1, opd_ids=[world["dpupr"].id], today=dt.date(2026, 1, 1)))
    assert dpupr["2"] == 3 and dpupr["10"] == 1
    assert dpupr["15"] is None and dpupr["20"] is None and dpupr["21"] is None
    empty = ind.numbered(ind.monitoring(dt.date(2024, 1, 1), dt.date(2024, 1, 31)))
    assert empty["2"] == 0 and empty["12"] is None and empty["22"] == {} and empty["23"] is None


def test_monthly_table(world):
    table = ind.monthly_table(*H1, today=dt.date(2026, 1, 1))
    assert [m["start"].month for m in table["months"]] == [1, 2, 3, 4, 5, 6]
    by_month = {m["start"].month: m["values"] for m in table["months"]}
    assert by_month[1]["2"] == 3 and by_month[2]["10"] == 1 and by_month[6]["2"] == 1 and by_month[4]["2"] == 0
    assert sum(v["2"] for v in by_month.values()) == table["total"]["2"] == 8


def test_cli_indicators_json(runner, world):
    r = runner.invoke(args=["report", "indicators", "--from", "2025-01-01", "--to", "2025-06-30", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == EXPECTED_PROVINCE
    r = runner.invoke(args=["report", "indicators", "--from", "2025-01-01", "--to", "2025-06-30",
                            "--opd", "dinkes", "--json"])
    assert json.loads(r.output)["2"] == 2
    bad = runner.invoke(args=["report", "indicators", "--from", "2025-01-01", "--to", "2025-06-30", "--opd", "X"])
    assert bad.exit_code == 1 and "no OPD" in bad.output


def test_reporter_reply_restarts_the_closure_clock(world):
    from portal.complaints.daily import close_silent
    from portal.complaints.replies import log_reporter_reply

    c3 = world["c3"]  # Proses, first follow-up 7 January 2025
    c3.last_activity_at = wib(2025, 1, 7)
    log_reporter_reply(c3, world["kominfo"], ReplyChannel.TELEPON, "Pelapor: belum selesai.",
                       received_at=wib(2025, 3, 10))
    db.session.flush()
    assert c3.last_activity_at == wib(2025, 3, 10)
    # ten working days after Monday 10 March is 24 March: not closed on the 21st, closed on the 24th
    assert close_silent(dt.date(2025, 3, 21)) == []
    assert close_silent(dt.date(2025, 3, 24)) == ["INc3"]
    event = [e for e in c3.events if e.kind == "reporter_reply"][-1]
    assert event.changes == {"via": "telepon"} and not event.is_public


def test_postpone_records_the_structured_reason(world):
    from portal.complaints import operations as ops

    c6 = world["c6"]
    ops.postpone(c6, world["kominfo"], "KTP belum dilampirkan", kind=PostponeReason.BERKAS_BELUM_LENGKAP)
    ops.reopen(c6, world["kominfo"])
    db.session.flush()
    # resumed, yet it was postponed for incomplete files: indicator 10 still counts it
    assert c6.postpone_reason == PostponeReason.BERKAS_BELUM_LENGKAP
    assert ind.monitoring(*H1, today=dt.date(2026, 1, 1))["10"] == 2


def test_indicator_page_and_downloads(client, world, make, login_as):
    import csv
    import io

    from openpyxl import load_workbook

    login_as(make.user("pimpinan"))
    page = client.get("/rapat/indikator?dari=2025-01&sampai=2025-06")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Jumlah aduan yang ditunda karena berkas belum lengkap" in html and "Jan 2025" in html
    assert "Jun 2025" in html and "Jul 2025" not in html
    dinkes = client.get("/rapat/indikator?dari=2025-01&sampai=2025-06&opd=DINKES").get_data(as_text=True)
    assert "Dinas Kesehatan" in dinkes

    body = client.get("/rapat/indikator.csv?dari=2025-01&sampai=2025-06").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["No.", "Indikator", "Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025", "Mei 2025", "Jun 2025",
                       "Periode"]
    by_no = {r[0]: r for r in rows[1:] if r[0] != "22"}
    assert by_no["2"][2:] == ["3", "2", "1", "0", "1", "1", "8"]
    assert by_no["21"][-1] == "5.0" and by_no["21"][3] == "–"  # February: nobody rated a solution
    assert by_no["23"][-1] == "Infrastruktur > Jalan"

    xlsx = client.get("/rapat/indikator.xlsx?dari=2025-01&sampai=2025-06&opd=DPUPR")
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    values = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] != "22"}
    assert values["2"][-1] == 3 and values["10"][-1] == 1 and values["20"][-1] == "–"


def test_indicator_page_is_not_for_opd_users(client, world, make, login_as):
    login_as(make.user("opd", opd=world["dinkes"]))
    assert client.get("/rapat/indikator").status_code == 403
    assert client.get("/rapat/indikator.csv").status_code == 403


def test_csv_cells_cannot_become_formulas(make):
    from portal.meetings.report.indicator_routes import safe_cell

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell("@x") == "'@x"
    assert safe_cell("-1") == "'-1" and safe_cell(5) == 5 and safe_cell("Jalan") == "Jalan"


def test_import_reads_rating_solusi(make, tmp_path):
    from portal.complaints.importing.runs import import_file
    from tests.complaints.importing.conftest import HEADER, row, write_csv

    header = [*HEADER, "Rating Solusi"]
    ok = write_csv(tmp_path / "a.csv", [{**row(ID_Laporan="8100001"), "Rating Solusi": "4"},
                                        row(ID_Laporan="8100002")], header=header)
    result = import_file(ok)
    assert result.ok, result.errors
    db.session.commit()
    from portal.complaints.models import Complaint

    got = {c.tracking_no: c.solution_rating for c in db.session.scalars(db.select(Complaint))}
    assert got == {"8100001": 4, "8100002": None}
    bad = write_csv(tmp_path / "b.csv", [{**row(ID_Laporan="8100003"), "Rating Solusi": "0"}], header=header)
    result = import_file(bad)
    assert not result.ok and "Rating Solusi harus 1–5" in result.errors[0].message

"""Region, reporter and duration summary rows: equal to a live count after every kind of write, and the
dashboard's regions, reporters and medians read from them equal the live computations."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.complaints import public_stats, summary, summary_more
from portal.complaints.importing import runs
from portal.complaints.models import Complaint, Reporter, Status
from portal.extensions import db
from tests.complaints.importing.conftest import SAMPLE

AT = dt.datetime(2025, 3, 1, 20, 0, tzinfo=dt.UTC)  # 03:00 WIB on 2 March


def _consistent():
    db.session.flush()
    stored = summary_more.rows()
    assert stored == summary_more.live_rows()
    assert summary.stored_rows() == summary.live_rows()  # the first summary too (is_confidential alone)
    return stored


def _readers_agree():
    periods = [(None, None), (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # whole months only
               (dt.date(2025, 2, 10), dt.date(2025, 4, 20)),  # partial months at both ends
               (dt.date(2025, 3, 2), dt.date(2025, 3, 2)),  # inside one month
               (dt.date(2025, 3, 1), dt.date(2025, 3, 31)), (None, dt.date(2025, 3, 15)),
               (dt.date(2025, 3, 15), None)]
    for start, end in periods:
        assert summary_more.by_region(start, end) == public_stats.by_region(start, end), (start, end)
        assert summary_more.by_reporter(start, end) == public_stats.by_reporter(start, end), (start, end)
        assert summary_more.medians_per_opd(start, end) == public_stats.medians_per_opd(start, end), (start, end)


def _day(days: float) -> dt.timedelta:
    return dt.timedelta(days=days)


def test_breakdown_and_durations_follow_every_kind_of_write(app, make):
    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", aliases=["Dinas PUPR"])
    dinkes = make.opd("DINKES", "Dinas Kesehatan", aliases=["Dinkes"])
    make.opd("DINDIKBUD", "Dinas Pendidikan dan Kebudayaan", aliases=["Dinas Pendidikan"])
    make.opd("DISKOPUKM", "Dinas Koperasi dan UKM", aliases=["Diskop UKM"])
    woman = {"name": "Sri", "gender": "P", "has_disability": True}
    a = make.complaint(opd=dpupr, status="proses", submitted_at=AT, location="Kota Tegal, Margadana",
                       verified_at=AT + _day(1), first_followup_at=AT + _day(2), reporter=woman)
    b = make.complaint(opd=dinkes, status="selesai", submitted_at=AT, location=" Kota Tegal ",
                       verified_at=AT + _day(0.25), first_followup_at=AT + _day(12.7), reporter={"gender": "L"})
    c = make.complaint(opd=dinkes, status="proses", submitted_at=AT - _day(40), location="Brebes",
                       verified_at=AT - _day(39.5), first_followup_at=AT - _day(38), reporter={"gender": "L"})
    hidden = make.complaint(opd=dinkes, status="proses", submitted_at=AT, location="Kota Tegal", is_confidential=True,
                            verified_at=AT + _day(3), first_followup_at=AT + _day(4), reporter=woman)
    make.complaint(submitted_at=AT + _day(20), location="Slawi", reporter={"gender": "P"})  # unpublished
    db.session.commit()
    stored = _consistent()
    regions = {k[1] for k in stored["complaint_breakdown"]}
    assert regions == {"Kota Tegal", "Brebes", ""}  # the hidden and unpublished ones only under ''
    assert all(k[2] == "" and k[3] == 0 for k in stored["complaint_breakdown"] if k[1] == "")
    assert (dt.date(2025, 3, 1), dinkes.id, "f", 120) in stored["complaint_duration"]  # 12.7 days: whole days
    assert (dt.date(2025, 3, 1), dinkes.id, "v", 2) in stored["complaint_duration"]  # 0.25 day: tenths
    _readers_agree()

    a.status = Status.SELESAI  # ORM updates of the complaint and of the reporter
    a.location = "Kabupaten Tegal"
    hidden.is_confidential = False
    b.submitted_at = AT + _day(35)
    c.reporter.gender = None
    c.reporter.has_disability = True
    db.session.commit()
    _consistent()
    _readers_agree()

    db.session.delete(b)  # a delete (its reporter goes with it)
    db.session.delete(a.reporter)  # a reporter removed
    db.session.commit()
    _consistent()
    db.session.add(Reporter(complaint_id=a.id, gender="P"))  # and added again
    db.session.commit()
    _consistent()

    db.session.execute(sa.update(Complaint).where(Complaint.id == c.id).values(status="arsip"))  # raw SQL
    db.session.execute(sa.text("UPDATE reporter SET gender = 'P' WHERE complaint_id = :i"), {"i": hidden.id})
    db.session.execute(sa.text("UPDATE complaint SET first_followup_at = NULL WHERE id = :i"), {"i": hidden.id})
    db.session.commit()
    _consistent()
    _readers_agree()

    result = runs.import_file(SAMPLE)  # the importer's bulk writes
    assert result.ok, result.errors
    db.session.commit()
    _consistent()
    _readers_agree()


def test_medians_are_the_medians_of_the_truncated_durations(app, make):
    for days in (0.26, 0.3, 0.44, 1.0, 3.0, 15.5):  # RV of six complaints: the middle two are 0.4 and 1.0
        make.complaint(status="proses", submitted_at=AT, verified_at=AT + _day(days))
    db.session.commit()
    assert summary_more.medians_per_opd(None, None)[None] == {"rtl_median": None, "rv_median": 0.7}
    assert summary_more.bucket(0.9999999999) == 10 and summary_more.bucket(-2) == 0
    assert summary_more.bucket(12.99) == 120
    assert summary_more.median_of({3: 1, 10: 2}) == 1.0


def test_rebuild_restores_both_tables(app, make, runner):
    make.complaint(status="proses", location="Kota Tegal", verified_at=AT, submitted_at=AT - _day(1),
                   reporter={"gender": "L"})
    db.session.commit()
    before = summary_more.rows()
    db.session.execute(sa.text("DELETE FROM complaint_breakdown"))
    db.session.execute(sa.text("DELETE FROM complaint_duration"))
    db.session.commit()
    out = runner.invoke(args=["stats", "rebuild"])
    assert out.exit_code == 0, out.output
    assert summary_more.rows() == before and before["complaint_breakdown"] and before["complaint_duration"]
    db.session.execute(sa.text("UPDATE complaint_breakdown SET n = n + 1"))
    db.session.commit()
    out = runner.invoke(args=["stats", "check"])
    assert out.exit_code == 1 and "differs in 1 rows" in out.output


def test_dashboard_reads_regions_reporters_and_medians_from_the_rows(app, make, client, monkeypatch):
    make.complaint(status="selesai", submitted_at=AT, location="Kota Tegal", verified_at=AT + _day(1))
    db.session.commit()

    def live(*_a, **_kw):
        raise AssertionError("computed live")

    for name in ("by_region", "by_reporter", "medians_per_opd"):
        monkeypatch.setattr(public_stats, name, live)
    assert client.get("/?from=2025-01-01&to=2025-12-31").status_code == 200


def test_months_covered_in_part_are_corrected_on_the_cheaper_side(app, make, monkeypatch):
    """A month the period covers only partly: the covered days from the complaints, or the month's rows
    minus the uncovered days, whichever reads fewer days that can hold complaints (none after today).
    Both give the live medians; the dashboard's default (this year, until today) reads no day live."""
    import portal.core.timeutil as timeutil

    monkeypatch.setattr(timeutil, "today_wib", lambda: dt.date(2027, 1, 20))
    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
    dinkes = make.opd("DINKES", "Dinas Kesehatan")
    start = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)  # 09:00 WIB
    for i in range(80):  # 1 Nov 2026 … 19 Jan 2027, every day, durations varying
        at = start + _day(i)
        make.complaint(opd=(dpupr, dinkes)[i % 2], status="proses", submitted_at=at,
                       verified_at=at + _day(0.1 * (i % 17)), first_followup_at=at + _day(1 + (i % 23)))
    db.session.commit()
    read: list[tuple] = []
    live = summary_more._live_hist
    monkeypatch.setattr(summary_more, "_live_hist", lambda a, b: read.append((a, b)) or live(a, b))
    periods = {
        (dt.date(2026, 11, 3), dt.date(2026, 11, 29)): [(dt.date(2026, 11, 1), dt.date(2026, 11, 2)),
                                                        (dt.date(2026, 11, 30), dt.date(2026, 11, 30))],
        (dt.date(2026, 11, 10), dt.date(2026, 11, 12)): [(dt.date(2026, 11, 10), dt.date(2026, 11, 12))],
        (dt.date(2026, 12, 28), dt.date(2027, 1, 3)): [(dt.date(2026, 12, 28), dt.date(2026, 12, 31)),
                                                       (dt.date(2027, 1, 1), dt.date(2027, 1, 3))],
        (dt.date(2026, 11, 20), dt.date(2027, 1, 19)): [(dt.date(2026, 11, 20), dt.date(2026, 11, 30)),
                                                        (dt.date(2027, 1, 20), dt.date(2027, 1, 31))],
        (dt.date(2027, 1, 1), dt.date(2027, 1, 20)): [(dt.date(2027, 1, 21), dt.date(2027, 1, 31))],  # "this year"
        (None, dt.date(2026, 12, 15)): [(dt.date(2026, 12, 1), dt.date(2026, 12, 15))],
        (dt.date(2026, 12, 5), None): [(dt.date(2026, 12, 1), dt.date(2026, 12, 4))],
    }
    for (a, b), expected in periods.items():
        read.clear()
        assert summary_more.medians_per_opd(a, b) == public_stats.medians_per_opd(a, b), (a, b)
        assert read == expected, (a, b)
    read.clear()
    summary_more.histograms(dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    assert read == []  # whole months: the rows alone


def test_rows_that_drifted_below_the_live_count_give_no_negative_counts(app, make, monkeypatch, caplog):
    import logging

    import portal.core.timeutil as timeutil

    monkeypatch.setattr(timeutil, "today_wib", lambda: dt.date(2026, 12, 20))
    at = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
    for i in range(4):
        make.complaint(status="proses", submitted_at=at + _day(i % 2), verified_at=at + _day(i % 2 + 0.5))
    db.session.flush()
    db.session.execute(sa.delete(summary_more.ComplaintDuration.__table__))  # the rows lost November
    with caplog.at_level(logging.WARNING):
        hist = summary_more.histograms(dt.date(2026, 11, 1), dt.date(2026, 11, 28))  # rows minus 29–30 Nov
    assert all(n > 0 for h in hist.values() for n in h.values())
    assert "stats check" in caplog.text

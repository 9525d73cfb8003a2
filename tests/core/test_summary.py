"""Summary rows kept by triggers: equal to a live count after ORM writes, raw SQL and an import."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.complaints import stats, summary
from portal.complaints.importing import runs
from portal.complaints.models import Complaint, Status
from portal.extensions import db
from tests.complaints.importing.conftest import SAMPLE, row, write_csv


def _consistent():
    db.session.flush()
    stored = summary.stored_rows()
    assert stored == summary.live_rows()
    return stored


def test_summary_follows_every_kind_of_write(app, make, tmp_path):
    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", aliases=["Dinas PUPR"])
    dinkes = make.opd("DINKES", "Dinas Kesehatan", aliases=["Dinkes"])
    make.opd("DINDIKBUD", "Dinas Pendidikan dan Kebudayaan", aliases=["Dinas Pendidikan"])
    make.opd("DISKOPUKM", "Dinas Koperasi dan UKM", aliases=["Diskop UKM"])
    at = dt.datetime(2025, 3, 1, 20, 0, tzinfo=dt.UTC)  # 03:00 WIB on 2 March: counted on the WIB day
    a = make.complaint(opd=dpupr, status="proses", submitted_at=at, rating=4,
                       verified_at=at + dt.timedelta(days=1), first_followup_at=at + dt.timedelta(days=2))
    b = make.complaint(opd=dinkes, submitted_at=at)
    c = make.complaint(status="selesai", submitted_at=at - dt.timedelta(days=40))
    db.session.commit()
    rows = _consistent()
    assert any(k[0] == dt.date(2025, 3, 2) for k in rows)

    a.status = Status.SELESAI  # ORM updates: status, OPD, a date that moves the day
    b.opd = dpupr
    c.submitted_at = at + dt.timedelta(days=3)
    db.session.commit()
    _consistent()

    db.session.delete(b)  # a delete
    db.session.commit()
    _consistent()

    db.session.execute(sa.update(Complaint).where(Complaint.id == a.id).values(rating=1))  # bulk / raw SQL
    db.session.execute(sa.text("UPDATE complaint SET status = 'arsip' WHERE id = :i"), {"i": c.id})
    db.session.commit()
    _consistent()

    result = runs.import_file(SAMPLE)  # the importer's COPY / executemany and its UPDATEs
    assert result.ok, result.errors
    db.session.commit()
    _consistent()
    changed = write_csv(tmp_path / "again.csv", [row(ID_Laporan="5100231", Status="Arsip",
                                                     Instansi_Tujuan="DINKES"),
                                                 row(ID_Laporan="7000009", Instansi_Tujuan="DPUPR")])
    result = runs.import_file(changed)
    assert result.ok, result.errors
    db.session.commit()
    _consistent()

    # the readers answer what the live queries answer
    for start, end in ((None, None), (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                       (dt.date(2025, 3, 2), dt.date(2025, 3, 2))):
        assert summary.recap(start, end) == stats.recap(start, end)
        assert summary.recap(start, end, [dpupr.id]) == stats.recap(start, end, [dpupr.id])
        assert summary.recap_per_opd(start, end) == stats.recap_per_opd(start, end)


def test_rebuild_command_restores_the_rows(app, make, runner):
    make.complaint(status="proses")
    make.complaint(status="selesai")
    db.session.commit()
    before = summary.stored_rows()
    db.session.execute(sa.text("DELETE FROM complaint_summary"))
    db.session.commit()
    assert summary.stored_rows() == {}
    out = runner.invoke(args=["stats", "rebuild"])
    assert out.exit_code == 0, out.output
    db.session.expire_all()
    assert summary.stored_rows() == before
    out = runner.invoke(args=["stats", "check"])
    assert out.exit_code == 0 and "consistent" in out.output


def test_dashboard_figures_come_from_the_summary(app, make, client, monkeypatch):
    agency = make.opd(code="DKR")
    make.complaint(opd=agency, status="selesai", submitted_at=dt.datetime(2025, 5, 5, 3, tzinfo=dt.UTC))
    db.session.commit()
    monkeypatch.setattr(stats, "recap", lambda *a, **kw: (_ for _ in ()).throw(AssertionError("live recap")))
    monkeypatch.setattr(stats, "recap_per_opd", lambda *a, **kw: (_ for _ in ()).throw(AssertionError("live")))
    assert client.get("/api/v1/stats?from=2025-01-01&to=2025-12-31").get_json()["selesai"] == 1
    opd_rows = client.get("/api/v1/stats/opd?from=2025-01-01&to=2025-12-31").get_json()["opd"]
    assert [r["selesai"] for r in opd_rows if r["code"] == "DKR"] == [1]
    assert client.get("/?from=2025-01-01&to=2025-12-31").status_code == 200
    assert client.get("/opd/DKR?from=2025-01-01&to=2025-12-31").status_code == 200


def test_the_dashboards_one_pass_equals_the_separate_readers(app, make):
    dpupr = make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
    dinkes = make.opd("DINKES", "Dinas Kesehatan")
    at = dt.datetime(2025, 3, 1, 20, 0, tzinfo=dt.UTC)
    make.complaint(opd=dpupr, status="proses", submitted_at=at, rating=4, channel="sms",
                   verified_at=at + dt.timedelta(days=1), first_followup_at=at + dt.timedelta(days=2.5))
    make.complaint(opd=dinkes, status="selesai", submitted_at=at, rating=5, channel="website",
                   verified_at=at + dt.timedelta(hours=3), first_followup_at=at + dt.timedelta(days=4))
    make.complaint(opd=dinkes, status="selesai", submitted_at=at, is_confidential=True, channel="sms")
    make.complaint(status="belum_terverifikasi", submitted_at=at - dt.timedelta(days=60))
    db.session.commit()
    runs.import_file(SAMPLE)
    db.session.commit()
    for start, end in ((None, None), (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                       (dt.date(2025, 3, 2), dt.date(2025, 3, 2))):
        parts = summary.dashboard_parts(start, end)
        assert parts["recap"] == summary.recap(start, end) == stats.recap(start, end)
        assert parts["per_opd"] == summary.recap_per_opd(start, end)
        assert parts["channel"] == summary.by_channel(start, end)
        assert parts["category"] == summary.by_category(start, end)
    assert parts["recap"]["total"] >= 3


@pytest.mark.db_commits  # VACUUM runs outside any transaction, on a connection of its own
def test_compact_rewrites_bloated_summary_tables_on_postgresql(app, make, runner, monkeypatch):
    for i in range(30):
        at = dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC) + dt.timedelta(days=i)
        make.complaint(status="proses", submitted_at=at, verified_at=at + dt.timedelta(hours=5))
    db.session.commit()
    if db.engine.dialect.name != "postgresql":
        assert summary.compact(force=True) == []  # SQLite updates in place: nothing to give back
        return
    rows = db.session.execute(sa.text("SELECT relname, array_to_string(reloptions, ',') FROM pg_class "
                                      "WHERE relname = ANY(:t)"), {"t": list(summary.SUMMARY_TABLES)}).all()
    options = dict(rows)
    assert options == dict.fromkeys(summary.SUMMARY_TABLES, f"fillfactor={summary.FILLFACTOR}")
    db.session.commit()
    assert summary.compact() == []  # small and compact: left alone
    with db.engine.connect() as conn:  # the row counts it trusts (statistics arrive a moment after writes)
        for table in summary.SUMMARY_TABLES:
            conn.exec_driver_sql(f"ANALYZE {table}")
        conn.commit()
    monkeypatch.setattr(summary, "BLOAT_MIN_BYTES", 0)
    monkeypatch.setattr(summary, "ROW_BYTES", 1)  # as if every table held far more bytes than its rows need
    done = summary.compact()
    assert [t for t, _before, _after in done] == list(summary.SUMMARY_TABLES)
    assert all(after > 0 for _t, _b, after in done)
    assert summary.stored_rows() == summary.live_rows()  # the rewrite keeps every row
    db.session.commit()  # our own reads would hold the lock it waits for
    result = runner.invoke(args=["stats", "compact", "--force"])
    assert result.exit_code == 0 and "complaint_summary" in result.output and " MB" in result.output


@pytest.mark.db_commits
def test_compact_skips_a_table_it_cannot_lock_in_time(app, make):
    if db.engine.dialect.name != "postgresql":
        return
    make.complaint(status="proses")
    db.session.commit()
    with db.engine.connect() as other:
        other.exec_driver_sql("BEGIN")
        other.exec_driver_sql("LOCK TABLE complaint_breakdown IN ACCESS SHARE MODE")  # a long report, say
        done = summary.compact(force=True, lock_timeout="200ms")
        other.exec_driver_sql("ROLLBACK")
    assert [t for t, _b, _a in done] == ["complaint_summary", "complaint_duration"]
    for _ in range(3):  # the pooled connections it used do not keep its short lock timeout
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"


@pytest.mark.db_commits
def test_the_daily_job_compacts_last_and_a_failure_there_fails_nothing(app, make, runner, monkeypatch):
    calls = []
    monkeypatch.setattr(summary, "compact", lambda *a, **k: calls.append("compact") or 1 / 0)
    from portal.core import mail

    monkeypatch.setattr(mail, "send_pending", lambda: calls.append("send") or {"sent": 0, "failed": 0})
    result = runner.invoke(args=["daily", "--today", "2026-12-02", "--send"])
    assert result.exit_code == 0, result.output
    assert calls == ["send", "compact"] and "compaction failed" in result.output

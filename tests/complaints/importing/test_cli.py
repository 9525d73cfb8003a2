"""``flask import-lapor FILE [--dry-run]``: counts, exit codes, every row error."""

from __future__ import annotations

import sqlalchemy as sa

from portal.complaints.models import Complaint, ImportBatch
from portal.extensions import db
from tests.complaints.importing.conftest import SAMPLE, row


def complaints() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Complaint))


def test_import_prints_counts_and_records_history(runner, opds):
    r = runner.invoke(args=["import-lapor", str(SAMPLE)])
    assert r.exit_code == 0, r.output
    assert "created 6, updated 0, unchanged 0" in r.output
    assert complaints() == 6
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert (batch.status, batch.created, batch.filename, batch.user_id) == ("done", 6, "lapor_sample.csv", None)
    assert len(batch.sha256) == 64

    r = runner.invoke(args=["import-lapor", str(SAMPLE)])
    assert r.exit_code == 0, r.output
    assert "created 0, updated 0, unchanged 6" in r.output
    assert f"batch #{batch.id}" in r.output  # the same file is recognised


def test_dry_run_writes_nothing(runner, opds):
    r = runner.invoke(args=["import-lapor", str(SAMPLE), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "dry run" in r.output and "created 6, updated 0, unchanged 0" in r.output
    assert complaints() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0


def test_invalid_rows_exit_non_zero_and_list_every_error(runner, opds, export):
    path = export([row(ID_Laporan="1"), row(ID_Laporan="0002", Tanggal_Laporan="31/02/2025"),
                   row(ID_Laporan="3", Instansi_Tujuan="Dinas Entah")])
    r = runner.invoke(args=["import-lapor", str(path)])
    assert r.exit_code == 1
    assert "row 3, ID Laporan 0002: Tanggal Laporan bukan tanggal yang valid: «31/02/2025»" in r.output
    assert "row 4, ID Laporan 3: Instansi Tujuan tidak dikenal: «Dinas Entah»" in r.output
    assert "2 row error(s) in 3 rows; nothing written." in r.output
    assert complaints() == 0
    batch = db.session.scalars(sa.select(ImportBatch)).one()  # the failed attempt is on record
    assert batch.status == "failed" and batch.errors == 2 and batch.error_report[0]["id"] == "0002"

    r = runner.invoke(args=["import-lapor", str(path), "--dry-run"])
    assert r.exit_code == 1 and "row 4, ID Laporan 3" in r.output


def test_missing_file_is_a_usage_error(runner):
    r = runner.invoke(args=["import-lapor", "/tidak/ada.csv"])
    assert r.exit_code == 2


def test_import_lists_the_categories_it_creates_or_refuses_them(runner, opds):
    from portal.complaints.models import Category

    r = runner.invoke(args=["import-lapor", str(SAMPLE), "--no-create-categories"])
    assert r.exit_code == 1 and "belum disetujui untuk dibuat" in r.output and complaints() == 0
    r = runner.invoke(args=["import-lapor", str(SAMPLE), "--dry-run"])
    assert r.exit_code == 0 and "new categories (would create" in r.output
    r = runner.invoke(args=["import-lapor", str(SAMPLE)])
    assert r.exit_code == 0 and "new categories (created" in r.output
    assert "  Infrastruktur > Penerangan Jalan" in r.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) > 0


def _archived_in_the_portal(runner, make, export):
    from portal.complaints import operations as ops

    path = export([row(Status="Belum Ditindaklanjuti", Instansi_Tujuan="DPUPR")])
    assert runner.invoke(args=["import-lapor", str(path)]).exit_code == 0
    c = db.session.scalar(sa.select(Complaint))
    ops.archive(c, make.user("kominfo"), "Tidak jelas")
    db.session.commit()
    return path


def test_conflicts_keep_the_portal_by_default_and_are_listed(runner, opds, export, make):
    path = _archived_in_the_portal(runner, make, export)
    r = runner.invoke(args=["import-lapor", str(path), "--dry-run"])
    assert r.exit_code == 0 and "conflicts with the portal's own changes (1; would apply the portal's" in r.output
    r = runner.invoke(args=["import-lapor", str(path)])
    assert r.exit_code == 0, r.output
    assert "ID Laporan 7000001 (7000001): status: portal arsip / LAPOR! belum_ditindaklanjuti" in r.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Complaint.status)).value == "arsip"
    batch = db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch.conflicts[0]["side"] == "portal"


def test_take_lapor_flag_applies_lapor(runner, opds, export, make):
    path = _archived_in_the_portal(runner, make, export)
    r = runner.invoke(args=["import-lapor", str(path), "--take-lapor"])
    assert r.exit_code == 0 and "applied LAPOR!'s values" in r.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Complaint.status)).value == "belum_ditindaklanjuti"

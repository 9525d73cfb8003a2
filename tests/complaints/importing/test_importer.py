"""The LAPOR! importer: every quirk of the format, atomicity, idempotence (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from portal.complaints.importing import runs, writing
from portal.complaints.importing.normalising import ImportResult
from portal.complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintType,
    FollowUp,
    Gender,
    Reporter,
    Status,
)
from portal.complaints.operations import refresh_due_date
from portal.core.timeutil import WIB
from portal.extensions import db
from tests.complaints.importing.conftest import HEADER, SAMPLE, row


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def get(tracking_no: str) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == tracking_no))


def run(path, **kw) -> ImportResult:
    result = runs.import_file(path, **kw)
    if result.ok and not kw.get("dry_run"):
        db.session.commit()
    return result


def wib(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


# --- the sample export ---------------------------------------------------------------------------

def test_sample_file_imports_with_expected_counts(opds):
    result = run(SAMPLE)
    assert result.ok, result.errors
    assert result.counts() == {"rows": 6, "created": 6, "updated": 0, "unchanged": 0, "errors": 0}
    assert count(Complaint) == 6 and count(Reporter) == 6 and count(FollowUp) == 2

    c = get("5100231")
    assert c.status == Status.SELESAI and c.opd.code == "DPUPR" and c.source == "import"
    assert c.submitted_at == wib(2025, 2, 3, 8, 15)
    assert c.dispatched_at == wib(2025, 2, 4, 10, 0) and c.finished_at == wib(2025, 2, 14)
    assert c.category.path == "Infrastruktur > Penerangan Jalan" and c.category.parent.path == "Infrastruktur"
    assert c.rating == 5 and c.norm_days == 14 and c.due_date == dt.date(2025, 2, 24)
    assert c.reporter.phone == "+6281300000001" and c.reporter.nik == "3601010101010001"
    assert c.reporter.gender == Gender.L and c.reporter.email == "budi.h@contoh.id"
    assert [f.text for f in c.followups] == ["Lampu sudah diganti oleh UPT PJU."]
    assert c.followups[0].source == "import"
    # the public timeline runs on LAPOR!'s dates, not on the import time
    assert [(e.kind, e.to_status, e.is_public, e.at) for e in sorted(c.events, key=lambda e: (e.at, e.id))] == [
        ("imported", Status.BELUM_TERVERIFIKASI, True, wib(2025, 2, 3, 8, 15)),
        ("verified", None, False, c.verified_at),
        ("dispatched", Status.BELUM_DITINDAKLANJUTI, True, wib(2025, 2, 4, 10, 0)),
        ("followup", Status.PROSES, True, c.first_followup_at),
        ("status", Status.SELESAI, True, wib(2025, 2, 14)),
    ]
    assert c.events[0].changes["imported_at"]

    c = get("5100232")  # day-first date, OPD by name, information request by SMS, norm 5
    assert c.submitted_at == wib(2025, 2, 4, 13, 40) and c.opd.code == "DINKES"
    assert c.type == ComplaintType.PERMINTAAN_INFORMASI and c.channel == Channel.SMS
    assert c.norm_days == 5 and c.due_date == dt.date(2025, 2, 12)

    c = get("5100233")  # Indonesian month names, anonymous and confidential
    assert c.submitted_at == wib(2025, 2, 6, 10, 5) and c.verified_at == wib(2025, 2, 7)
    assert c.is_anonymous and c.is_confidential and c.opd.code == "DINDIKBUD"

    c = get("5100234")  # not verified: no OPD, due from submission
    assert c.opd is None and c.status == Status.BELUM_TERVERIFIKASI and c.channel == Channel.MEDIA_SOSIAL
    assert c.due_date == dt.date(2025, 2, 28)
    assert get("5100235").category is None and get("5100235").reporter.phone == "+6281200000005"
    assert get("5100236").reporter.has_disability is True and get("5100236").status == Status.TUNDA


def test_due_date_counts_working_days_after_idul_fitri(opds, export):
    path = export([row(ID_Laporan="8000001", Tanggal_Laporan="2024-04-01 09:00", Status="Belum Ditindaklanjuti",
                       Instansi_Tujuan="DPUPR", Tanggal_Disposisi="2024-04-05 10:00", Batas_Hari_Kerja="5")])
    assert run(path).ok
    assert get("8000001").due_date == dt.date(2024, 4, 22)


def test_norm_falls_back_to_category_then_fourteen(opds, export, make):
    make.category("Kesehatan > Imunisasi", norm_days=5)
    make.category("Kesehatan", norm_days=60)
    db.session.commit()
    path = export([
        row(ID_Laporan="1", Kategori="Kesehatan > Imunisasi"),
        row(ID_Laporan="2", Kategori="Kesehatan > Baru"),  # new leaf inherits its parent's norm
        row(ID_Laporan="3", Kategori=""),
    ])
    assert run(path).ok
    assert [get(n).norm_days for n in "123"] == [5, 60, 14]
    assert get("2").category.parent.path == "Kesehatan"


# --- the shapes of a file ------------------------------------------------------------------------

def test_bom_and_semicolon(opds, export):
    path = export([row(ID_Laporan="7000001"), row(ID_Laporan="7000002")], delimiter=";", bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = run(path)
    assert result.ok, result.errors
    assert result.created == 2 and get("7000002") is not None


def test_header_case_spaces_and_extra_columns(opds, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "  id laporan ,TANGGAL  LAPORAN,isi laporan,  Status  ,Kolom Lain,Instansi tujuan\n"
        "7000009,2025-02-03,Isi,proses,abaikan saya,dinkes\n",
        encoding="utf-8",
    )
    result = run(path)
    assert result.ok, result.errors
    assert ("Kolom Lain", None) in result.columns and ("id laporan", "ID Laporan") in result.columns
    c = get("7000009")
    assert c.status == Status.PROSES and c.opd.code == "DINKES" and c.text == "Isi"


def test_leading_zeros_are_kept(opds, export):
    assert run(export([row(ID_Laporan="0012345")])).ok
    assert get("0012345") is not None and get("12345") is None


def test_xlsx_with_date_cells_and_text_cells(opds, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["ID Laporan", "Tanggal Laporan", "Isi Laporan", "Status", "Tanggal Disposisi", "Instansi Tujuan",
               "Rating", "Batas Hari Kerja", "Anonim"])
    ws.append(["0012345", dt.datetime(2024, 4, 5, 9, 30), "Teks", "Belum Ditindaklanjuti",
               dt.datetime(2024, 4, 5, 10, 0), "DPUPR", 4, 5, "Ya"])
    ws.append([5100999, "5 April 2024 09:30", "Teks lain", "Proses", dt.date(2024, 4, 5), "Dinas PUPR",
               None, 14.0, None])
    ws.append([None, None, None, None, None, None, None, None, None])  # trailing empty row
    wb.active.cell(row=2, column=1).number_format = "@"
    path = tmp_path / "ekspor.xlsx"
    wb.save(path)

    result = run(path)
    assert result.ok, result.errors
    assert result.rows == 2 and result.created == 2
    a, b = get("0012345"), get("5100999")
    assert a.submitted_at == wib(2024, 4, 5, 9, 30) and a.due_date == dt.date(2024, 4, 22)
    assert a.rating == 4 and a.is_anonymous and a.norm_days == 5
    assert b.submitted_at == wib(2024, 4, 5, 9, 30) and b.dispatched_at == wib(2024, 4, 5)
    assert b.norm_days == 14 and not b.is_anonymous


@pytest.mark.parametrize("spelling, expected", [
    ("2024-08-17", wib(2024, 8, 17)),
    ("2024-08-17 09:30", wib(2024, 8, 17, 9, 30)),
    ("2024-08-17T09:30:15", wib(2024, 8, 17, 9, 30, 15)),
    ("17/08/2024", wib(2024, 8, 17)),
    ("17/08/2024 09:30", wib(2024, 8, 17, 9, 30)),
    ("5/4/2024 9.30", wib(2024, 4, 5, 9, 30)),
    ("17 Agustus 2024 09:30", wib(2024, 8, 17, 9, 30)),
    ("17 Agu 2024", wib(2024, 8, 17)),
    ("17 Agt 2024", wib(2024, 8, 17)),
    ("1 Okt 2024", wib(2024, 10, 1)),
    ("24 Des 2024 23:59", wib(2024, 12, 24, 23, 59)),
    ("2 Mei 2024", wib(2024, 5, 2)),
    ("5 April 2024 09:30 WIB", wib(2024, 4, 5, 9, 30)),
    ("Jumat, 5 Apr 2024", wib(2024, 4, 5)),
    ("  5 apr 2024  ", wib(2024, 4, 5)),
])
def test_each_date_spelling(opds, export, spelling, expected):
    assert run(export([row(ID_Laporan="7100001", Tanggal_Laporan=spelling)])).ok
    assert get("7100001").submitted_at == expected


def test_normalisation_of_coded_values(opds, export):
    path = export([row(ID_Laporan="7200001", Status="  belum DITINDAKLANJUTI ", Jenis=" permintaan  informasi",
                       Sumber="TATAP MUKA", Jenis_Kelamin="perempuan", Disabilitas=" YA ", Anonim="tidak",
                       Rahasia="Ya", Instansi_Tujuan=" dinas  kesehatan ", No_HP="0813-0000-0001"),
                   row(ID_Laporan="7200002", Status="selesai", Sumber="aplikasi mobile", Jenis_Kelamin="Laki-laki",
                       Instansi_Tujuan="diskop ukm", Jenis="ASPIRASI")])
    result = run(path)
    assert result.ok, result.errors
    a, b = get("7200001"), get("7200002")
    assert a.status == Status.BELUM_DITINDAKLANJUTI and a.type == ComplaintType.PERMINTAAN_INFORMASI
    assert a.channel == Channel.TATAP_MUKA and a.reporter.gender == Gender.P and a.reporter.has_disability
    assert not a.is_anonymous and a.is_confidential and a.opd.code == "DINKES"
    assert a.reporter.phone == "+6281300000001"
    assert b.status == Status.SELESAI and b.channel == Channel.APLIKASI_MOBILE and b.reporter.gender == Gender.L
    assert b.opd.code == "DISKOPUKM" and b.type == ComplaintType.ASPIRASI


# --- row errors: all or nothing --------------------------------------------------------------------

def _messages(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.id, e.message) for e in result.errors]


@pytest.mark.parametrize("values, fragment", [
    ({"Instansi_Tujuan": "Dinas Tidak Ada"}, "Instansi Tujuan tidak dikenal"),
    ({"Tanggal_Laporan": "31/02/2025"}, "Tanggal Laporan bukan tanggal yang valid: «31/02/2025»"),
    ({"Tanggal_Verifikasi": "30 Februari 2025"}, "Tanggal Verifikasi bukan tanggal yang valid"),
    ({"Status": "Dibatalkan"}, "Status tidak dikenal: «Dibatalkan»"),
    ({"Status": ""}, "Status kosong"),
    ({"Isi_Laporan": " "}, "Isi Laporan kosong"),
    ({"Jenis": "Keluhan"}, "Jenis tidak dikenal"),
    ({"Sumber": "Merpati"}, "Sumber tidak dikenal"),
    ({"Jenis_Kelamin": "X"}, "Jenis Kelamin tidak dikenal"),
    ({"Anonim": "mungkin"}, "Anonim harus Ya atau Tidak"),
    ({"Rating": "6"}, "Rating harus 1–5"),
    ({"Batas_Hari_Kerja": "7"}, "Batas Hari Kerja harus 5, 14 atau 60"),
    ({"NIK": "12345"}, "NIK harus 16 digit"),
    ({"No_HP": "12"}, "No HP bukan nomor telepon Indonesia yang valid"),
    ({"Email_Pelapor": "bukan-email"}, "Email Pelapor tidak valid"),
    ({"ID_Laporan": "PRV-2026-000001"}, "dicadangkan"),
    ({"Judul": "x" * 301}, "Judul terlalu panjang"),
])
def test_row_error_writes_nothing(opds, export, values, fragment):
    path = export([row(ID_Laporan="7300001"), row(**{"ID_Laporan": "7300002", **values})])
    result = run(path)
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    err = result.errors[0]
    assert err.row == 3 and err.id == values.get("ID_Laporan", "7300002") and fragment in err.message
    assert count(Complaint) == 0 and count(Category) == 0 and count(ComplaintEvent) == 0


def test_pii_values_never_appear_in_error_messages(opds, export):
    result = run(export([row(NIK="3601-SALAH", No_HP="0000", Email_Pelapor="rahasia@")]))
    text = " ".join(e.message for e in result.errors)
    assert result.error_count == 3 and "3601" not in text and "rahasia" not in text


def test_duplicate_id_within_the_file(opds, export):
    result = run(export([row(ID_Laporan="5"), row(ID_Laporan="6"), row(ID_Laporan="5")]))
    assert _messages(result) == [(4, "5", "ID Laporan ganda: sudah ada di baris 2")]
    assert count(Complaint) == 0


def test_missing_required_column(opds, export):
    header = [h for h in HEADER if h != "Status"]
    result = run(export([row()], header=header))
    assert _messages(result) == [(1, "", "Kolom wajib tidak ada: Status")]


def test_every_error_is_listed_and_earlier_batches_are_rolled_back(opds, export):
    rows = [row(ID_Laporan=str(9000 + i)) for i in range(7)]
    rows[5]["Status"] = "Entah"
    rows.append(row(ID_Laporan="9100", Instansi_Tujuan="NOPE"))
    result = run(export(rows), batch_size=2)  # two batches were written before the first error
    assert [(e.row, e.id) for e in result.errors] == [(7, "9005"), (9, "9100")]
    assert result.error_count == 2
    assert count(Complaint) == 0 and count(Reporter) == 0 and count(ComplaintEvent) == 0


def test_not_a_csv_or_empty_file(opds, tmp_path):
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"")
    assert "kosong" in run(empty).errors[0].message
    latin = tmp_path / "latin.csv"
    latin.write_bytes("ID Laporan,Tanggal Laporan,Isi Laporan,Status\n1,2025-01-01,caf\xe9,Proses\n".encode("latin-1"))
    result = run(latin)
    assert not result.ok and "UTF-8" in result.errors[0].message
    bad_zip = tmp_path / "rusak.xlsx"
    bad_zip.write_bytes(b"PK\x03\x04 not really a zip")
    assert "Excel" in run(bad_zip).errors[0].message


# --- dry run and re-import -----------------------------------------------------------------------

def test_dry_run_writes_nothing(opds):
    result = run(SAMPLE, dry_run=True)
    assert result.ok and result.dry_run
    assert result.counts() == {"rows": 6, "created": 6, "updated": 0, "unchanged": 0, "errors": 0}
    assert count(Complaint) == 0 and count(Category) == 0 and count(Reporter) == 0


def test_dry_run_counts_match_a_real_run_after_changes(opds, export):
    run(SAMPLE)
    path = export([row(ID_Laporan="5100231", Tanggal_Laporan="2025-02-03 08:15", Status="Proses",
                       Kategori="Baru > Sekali"), row(ID_Laporan="7777777")])
    dry = run(path, dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged) == (1, 1, 0)
    assert get("7777777") is None and count(Category) == 10
    real = run(path)
    assert real.counts() == dry.counts()


def test_reimport_is_all_unchanged(opds):
    run(SAMPLE)
    events = count(ComplaintEvent)
    versions = {c.tracking_no: c.version for c in db.session.scalars(sa.select(Complaint))}
    result = run(SAMPLE)
    assert result.counts() == {"rows": 6, "created": 0, "updated": 0, "unchanged": 6, "errors": 0}
    assert count(Complaint) == 6 and count(ComplaintEvent) == events and count(FollowUp) == 2
    db.session.expire_all()
    assert {c.tracking_no: c.version for c in db.session.scalars(sa.select(Complaint))} == versions


def test_changed_reimport_updates_and_records_what_changed(opds, tmp_path):
    run(SAMPLE)
    before = get("5100232")
    version = before.version
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        "5100232,04/02/2025 13:40,Jadwal vaksin,Kapan jadwal imunisasi anak di Puskesmas Ciruas?,"
        "Kesehatan > Imunisasi,Permintaan Informasi,SMS,Proses,Dinas Kesehatan,Siti Aminah,3604020202020002,"
        "085700000002,,P,Tidak,Tidak,Tidak,Kab. Serang,2025-02-05,2025-02-05 11:00,2025-02-07,,"
        "Jadwal imunisasi setiap Selasa pekan kedua.,,5",
        "5100232,04/02/2025 13:40,Jadwal vaksin,Kapan jadwal imunisasi anak di Puskesmas Ciruas?,"
        "Kesehatan > Imunisasi,Permintaan Informasi,SMS,Selesai,Dinas Kesehatan,Siti Aminah,3604020202020002,"
        "085799999999,,P,Tidak,Tidak,Tidak,Kab. Serang,2025-02-05,2025-02-05 11:00,2025-02-07,2025-02-10,"
        "Jadwal sudah dikirim lewat SMS.,4,5",
    )
    changed = tmp_path / "berubah.csv"
    changed.write_text(text, encoding="utf-8")
    result = run(changed)
    assert result.counts() == {"rows": 6, "created": 0, "updated": 1, "unchanged": 5, "errors": 0}

    c = get("5100232")
    assert c.status == Status.SELESAI and c.rating == 4 and c.finished_at == wib(2025, 2, 10)
    assert c.reporter.phone == "+6285799999999" and c.version == version + 1
    assert [f.text for f in c.followups] == ["Jadwal imunisasi setiap Selasa pekan kedua.",
                                             "Jadwal sudah dikirim lewat SMS."]
    event = c.events[-1]
    assert event.kind == "updated" and event.is_public
    assert (event.from_status, event.to_status) == (Status.PROSES, Status.SELESAI)
    assert event.changes["status"] == ["proses", "selesai"]
    assert event.changes["rating"] == [None, 4]
    assert event.changes["finished_at"][0] is None
    assert event.changes["followup"][1] == "Jadwal sudah dikirim lewat SMS."
    assert event.changes["reporter.phone"] == [writing.MASK, writing.MASK]
    assert "085799999999" not in str(event.changes) and "+6285799999999" not in str(event.changes)
    assert count(Complaint) == 6

    assert run(changed).unchanged == 6  # and once more: nothing new


def test_import_after_staff_changes_keeps_the_norm_without_a_norm_column(opds, export):
    path = export([row(ID_Laporan="7400001", Kategori="")], header=[h for h in HEADER if h != "Batas Hari Kerja"])
    run(path)
    c = get("7400001")
    c.norm_days = 60  # set at verification
    refresh_due_date(c)
    db.session.commit()
    assert run(path).unchanged == 1
    assert get("7400001").norm_days == 60


def test_columns_missing_from_the_file_are_left_alone(opds, export):
    run(SAMPLE)
    slim = ["ID Laporan", "Tanggal Laporan", "Isi Laporan", "Status"]
    path = export([row(ID_Laporan="5100231", Tanggal_Laporan="2025-02-03 08:15", Status="Selesai",
                       Isi_Laporan="Lampu penerangan jalan di Jl. Raya Pandeglang km 4 padam sejak seminggu.")],
                  header=slim)
    assert run(path).unchanged == 1
    c = get("5100231")
    assert c.opd.code == "DPUPR" and c.reporter.name == "Budi Hartono" and c.rating == 5


def test_new_categories_are_listed_and_created_only_when_allowed(opds):
    preview = run(SAMPLE, dry_run=True)
    assert preview.ok and "Infrastruktur" in preview.new_categories
    assert "Infrastruktur > Penerangan Jalan" in preview.new_categories and count(Category) == 0
    refused = run(SAMPLE, create_categories=False)
    assert not refused.ok and count(Complaint) == 0 and count(Category) == 0
    assert any("Kategori baru «Infrastruktur > Penerangan Jalan» belum disetujui" in e.message
               for e in refused.errors)
    done = run(SAMPLE)
    assert done.ok and done.new_categories == preview.new_categories
    assert count(Category) == len(preview.new_categories)
    assert run(SAMPLE).new_categories == []  # nothing new the second time


def test_a_status_the_dates_do_not_explain_is_reached_at_the_last_known_date(opds, export):
    path = export([row(ID_Laporan="5200001", Status="Arsip", Tanggal_Verifikasi="2025-02-05 09:00")])
    assert run(path).ok
    c = get("5200001")
    events = sorted(c.events, key=lambda e: (e.at, e.id))
    assert [e.to_status for e in events if e.is_public][-1] == Status.ARSIP
    assert all(e.at <= max(filter(None, (c.submitted_at, c.verified_at, c.dispatched_at, c.first_followup_at,
                                         c.finished_at))) for e in events)

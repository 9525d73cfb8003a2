"""Fixtures for the intake tests: the OPDs of the sample export and small export files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from portal.extensions import db

#: a copy of shared/samples/lapor_sample.csv, so the tests do not depend on the tree around the repo
SAMPLE = Path(__file__).resolve().parent / "data" / "lapor_sample.csv"

HEADER = ["ID Laporan", "Tanggal Laporan", "Judul", "Isi Laporan", "Kategori", "Jenis", "Sumber", "Status",
          "Instansi Tujuan", "Nama Pelapor", "NIK", "No HP", "Email Pelapor", "Jenis Kelamin", "Disabilitas",
          "Anonim", "Rahasia", "Lokasi", "Tanggal Verifikasi", "Tanggal Disposisi", "Tanggal Tindak Lanjut",
          "Tanggal Selesai", "Tindak Lanjut", "Rating", "Batas Hari Kerja"]


def row(**values) -> dict:
    """A valid export row; keyword names are the header with spaces as underscores."""
    base = {"ID Laporan": "7000001", "Tanggal Laporan": "2025-02-03 08:15", "Judul": "Jalan rusak",
            "Isi Laporan": "Jalan berlubang di depan pasar.", "Kategori": "Infrastruktur > Jalan",
            "Jenis": "Pengaduan", "Sumber": "Website", "Status": "Belum Terverifikasi"}
    for key, value in values.items():
        base[key.replace("_", " ")] = value
    return base


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, delimiter: str = ",",
              bom: bool = False) -> Path:
    header = header or HEADER
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
    return path


@pytest.fixture
def opds(make):
    """The OPDs the sample export names (by code, name or alias)."""
    out = {
        "DPUPR": make.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", aliases=["Dinas PUPR"]),
        "DINKES": make.opd("DINKES", "Dinas Kesehatan", aliases=["Dinkes"]),
        "DINDIKBUD": make.opd("DINDIKBUD", "Dinas Pendidikan dan Kebudayaan", aliases=["Dinas Pendidikan"]),
        "DISKOPUKM": make.opd("DISKOPUKM", "Dinas Koperasi dan UKM", aliases=["Diskop UKM"]),
    }
    db.session.commit()
    return out


@pytest.fixture
def export(tmp_path):
    """``export(rows, name=..., **kw)`` writes a CSV export and returns its path."""
    counter = iter(range(1, 1000))

    def _write(rows: list[dict], name: str | None = None, **kw) -> Path:
        return write_csv(tmp_path / (name or f"export{next(counter)}.csv"), rows, **kw)

    return _write

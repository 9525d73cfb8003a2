"""Import benchmark: generate a LAPOR! export of N rows, import it, print rows/s and peak memory.

    .venv/bin/python bench/import_bench.py --rows 200000                       # SQLite (temp file)
    .venv/bin/python bench/import_bench.py --rows 200000 --db postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/import_bench.py --rows 1000000 --reimport           # then re-import: all unchanged

The database is emptied first (tables dropped and created). Peak memory is the process's
maximum resident set size (``resource.getrusage``), measured in a fresh child process per run so
the file generation does not count.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPDS = [("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"), ("DINKES", "Dinas Kesehatan"),
        ("DINDIKBUD", "Dinas Pendidikan dan Kebudayaan"), ("DISKOPUKM", "Dinas Koperasi dan UKM"),
        ("BAPENDA", "Badan Pendapatan Daerah"), ("DINSOS", "Dinas Sosial")]
CATEGORIES = ["Infrastruktur > Jalan Rusak", "Infrastruktur > Penerangan Jalan", "Kesehatan > Imunisasi",
              "Kesehatan > Jaminan Kesehatan", "Pendidikan > Pungutan Sekolah", "Pendidikan > PPDB",
              "Pajak Daerah > Pajak Kendaraan", "Ekonomi > Bantuan UMKM", "Sosial > Bansos"]
STATUSES = ["Belum Terverifikasi", "Belum Ditindaklanjuti", "Proses", "Selesai", "Tunda", "Arsip"]
HEADER = ["ID Laporan", "Tanggal Laporan", "Judul", "Isi Laporan", "Kategori", "Jenis", "Sumber", "Status",
          "Instansi Tujuan", "Nama Pelapor", "NIK", "No HP", "Email Pelapor", "Jenis Kelamin", "Disabilitas",
          "Anonim", "Rahasia", "Lokasi", "Tanggal Verifikasi", "Tanggal Disposisi", "Tanggal Tindak Lanjut",
          "Tanggal Selesai", "Tindak Lanjut", "Rating", "Batas Hari Kerja"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def generate(path: Path, n: int, seed: int = 1708) -> None:
    """A realistic export: mixed date spellings, every column filled as LAPOR! would."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            day = rng.randint(1, 28)
            month = rng.randint(1, 12)
            year = rng.choice((2023, 2024, 2025))
            hour, minute = rng.randint(7, 20), rng.randint(0, 59)
            spelling = i % 3
            if spelling == 0:
                submitted = f"{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"
            elif spelling == 1:
                submitted = f"{day:02d}/{month:02d}/{year} {hour:02d}:{minute:02d}"
            else:
                submitted = f"{day} {MONTHS[month - 1]} {year} {hour:02d}:{minute:02d}"
            status = rng.choice(STATUSES)
            dispatched = status in ("Belum Ditindaklanjuti", "Proses", "Selesai")
            verified = status != "Belum Terverifikasi"
            d2 = min(day + 1, 28)
            w.writerow([
                str(10_000_000 + i), submitted, f"Laporan nomor {i}",
                f"Isi laporan uji nomor {i} tentang layanan publik di wilayah Banten.",
                rng.choice(CATEGORIES), rng.choice(("Pengaduan", "Aspirasi", "Permintaan Informasi")),
                rng.choice(("Website", "SMS", "Aplikasi Mobile", "Media Sosial")), status,
                rng.choice(OPDS)[0] if dispatched else "",
                f"Pelapor {i}", f"36{rng.randint(0, 10**14 - 1):014d}", f"08{rng.randint(10**9, 10**10 - 1)}",
                f"pelapor{i}@contoh.id" if i % 4 == 0 else "", rng.choice("LP"), "Tidak",
                "Ya" if i % 17 == 0 else "Tidak", "Tidak", "Kota Serang",
                f"{year}-{month:02d}-{d2:02d}" if verified else "",
                f"{year}-{month:02d}-{d2:02d} 10:00" if dispatched else "",
                f"{year}-{month:02d}-{d2:02d}" if status in ("Proses", "Selesai") else "",
                f"{year}-{month:02d}-{d2:02d}" if status == "Selesai" else "",
                "Sudah ditindaklanjuti oleh OPD." if status in ("Proses", "Selesai") else "",
                str(rng.randint(1, 5)) if status == "Selesai" else "", rng.choice(("5", "14", "60")),
            ])


def reset(url: str) -> None:
    from portal import create_app
    from portal.extensions import db
    from portal.people.models import OPD

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        for code, name in OPDS:
            db.session.add(OPD(code=code, name=name, aliases=[]))
        db.session.commit()
        db.engine.dispose()


def child(url: str, path: str) -> None:
    """Run one import in this (fresh) process and print its figures."""
    from portal import create_app
    from portal.complaints.importing import runs
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        server_pid = None
        if db.engine.dialect.name == "postgresql":  # the backend's CPU counts too (local server)
            server_pid = db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        server0 = _proc_cpu(server_pid)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        base, cpu0 = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        start = time.perf_counter()
        result = runs.import_file(path)
        if result.ok:
            db.session.commit()
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_SELF)
        peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu0
        print(f"  {result.counts()}  errors shown: {[str(e) for e in result.errors[:3]]}")
        print(f"  wall {seconds:.1f} s = {result.rows / seconds:,.0f} rows/s; importer process CPU {cpu:.1f} s "
              f"= {result.rows / cpu:,.0f} rows per CPU-second; load average {os.getloadavg()[0]:.1f}")
        server = _proc_cpu(server_pid)
        if server is not None and server0 is not None:
            print(f"  PostgreSQL backend CPU {server - server0:.1f} s; importer + server "
                  f"= {result.rows / (cpu + server - server0):,.0f} rows per CPU-second")
        print(f"  peak RSS {peak / 1024:.0f} MB (process before the import {base / 1024:.0f} MB)")
        db.engine.dispose()


def _proc_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a local process (Linux ``/proc``), or ``None``."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--reimport", action="store_true", help="import the same file a second time")
    ap.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        path = Path(tmp) / "export.csv"
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        reset(url)
        shown = url.split("@")[-1]
        for label in ("import (all new)", "re-import (all unchanged)")[: 2 if args.reimport else 1]:
            print(f"{label} on {shown}:")
            subprocess.run([sys.executable, __file__, "--child", url, str(path)], check=True,
                           env={**os.environ, "RATELIMIT_ENABLED": "false"})


if __name__ == "__main__":
    main()

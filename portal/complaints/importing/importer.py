"""Import of SP4N-LAPOR! exports (CSV or XLSX): stream, normalise, upsert atomically.

The format is the contract in docs/INTERFACES.md §4. The file is read as a stream (``csv`` over a
buffered text wrapper, or ``openpyxl`` in read-only mode), normalised row by row, and written in
batches with Core ``INSERT … RETURNING`` / ``UPDATE`` executemany inside one transaction:

- a new ``ID Laporan`` creates a complaint, its reporter, an ``imported`` event and its follow-up;
- a known one whose values differ is updated, with an ``updated`` event ``{field: [old, new]}``
  (personal data only by field name, never its values);
- an identical one writes nothing and counts as unchanged.

Any row error stops the writing, the remaining rows are still checked so that every error is
listed, and the transaction is rolled back: all or nothing. ``dry_run`` never writes at all
(categories that would be created get provisional ids), so its counts equal a real run's.
The import mirrors LAPOR!'s state; it is not a workflow transition, so it writes the columns
directly rather than through :mod:`portal.complaints.operations` (whose due-date rule it uses).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import operator
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.complaints.contact import ContactError, looks_like_email, normalise_nik, normalise_phone
from portal.complaints.importing.dates import DateError, parse_utc, wib_day
from portal.complaints.models import (
    CHANNEL_LABELS,
    DEFAULT_NORM,
    NORMS,
    STATUS_LABELS,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintType,
    FollowUp,
    Gender,
    ImportBatch,
    Reporter,
    Status,
)
from portal.complaints.tracking import STAFF_PREFIX
from portal.core import cache
from portal.core.db import utcnow
from portal.core.models import OPD, Job
from portal.core.workdays import get_calendar
from portal.extensions import db

BATCH_SIZE = 2000
#: errors kept for the report; beyond this they are only counted
MAX_ERRORS_KEPT = 100_000
PREVIEW_ROWS = 5
#: shown in events instead of personal data values
MASK = "•••"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("tracking_no", "ID Laporan", True),
    Column("submitted_at", "Tanggal Laporan", True),
    Column("title", "Judul"),
    Column("text", "Isi Laporan", True),
    Column("category", "Kategori"),
    Column("type", "Jenis"),
    Column("channel", "Sumber"),
    Column("status", "Status", True),
    Column("opd", "Instansi Tujuan"),
    Column("name", "Nama Pelapor"),
    Column("nik", "NIK"),
    Column("phone", "No HP"),
    Column("email", "Email Pelapor"),
    Column("gender", "Jenis Kelamin"),
    Column("has_disability", "Disabilitas"),
    Column("is_anonymous", "Anonim"),
    Column("is_confidential", "Rahasia"),
    Column("location", "Lokasi"),
    Column("verified_at", "Tanggal Verifikasi"),
    Column("dispatched_at", "Tanggal Disposisi"),
    Column("first_followup_at", "Tanggal Tindak Lanjut"),
    Column("finished_at", "Tanggal Selesai"),
    Column("followup", "Tindak Lanjut"),
    Column("rating", "Rating"),
    Column("solution_rating", "Rating Solusi"),
    Column("norm_days", "Batas Hari Kerja"),
)
LABELS = {c.key: c.label for c in COLUMNS}


def header_key(text: object) -> str:
    """Case- and space-insensitive form of a header or a coded value."""
    return " ".join(str(text if text is not None else "").replace("\ufeff", "").split()).lower()


_BY_HEADER = {header_key(c.label): c for c in COLUMNS}

#: complaint columns the import mirrors (when their column is in the file)
MIRRORED = ("submitted_at", "title", "text", "type", "channel", "category_id", "status", "opd_id",
            "location", "is_anonymous", "is_confidential", "verified_at", "dispatched_at",
            "first_followup_at", "finished_at", "rating", "solution_rating")
#: file column -> complaint column, where they differ
_COLUMN_OF = {"category": "category_id", "opd": "opd_id"}
REPORTER_FIELDS = ("name", "nik", "phone", "email", "gender", "has_disability")
DATE_FIELDS = ("submitted_at", "verified_at", "dispatched_at", "first_followup_at", "finished_at")
MAX_LENGTHS = {"tracking_no": 40, "title": 300, "location": 300, "name": 200}


def _coded(mapping: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for spelling, value in mapping.items():
        out[spelling] = value  # exact spellings first: the common case needs no folding
        out[header_key(spelling)] = value
        out[header_key(spelling).replace("-", " ")] = value
    return out


def _lookup(table: dict[str, Any], value: str) -> Any:
    found = table.get(value)
    return found if found is not None else table.get(header_key(value))


STATUS_VALUES = _coded({**{label: s for s, label in STATUS_LABELS.items()},
                        **{s.value.replace("_", " "): s for s in STATUS_LABELS}})
TYPE_VALUES = _coded({"Pengaduan": ComplaintType.PENGADUAN, "Aspirasi": ComplaintType.ASPIRASI,
                      "Permintaan Informasi": ComplaintType.PERMINTAAN_INFORMASI,
                      "Informasi": ComplaintType.PERMINTAAN_INFORMASI,
                      "permintaan_informasi": ComplaintType.PERMINTAAN_INFORMASI})
CHANNEL_VALUES = _coded({
    **{label: ch for ch, label in CHANNEL_LABELS.items()},
    **{ch.value.replace("_", " "): ch for ch in CHANNEL_LABELS},
    "Web": Channel.WEBSITE, "Aplikasi": Channel.APLIKASI_MOBILE, "Mobile": Channel.APLIKASI_MOBILE,
    "Android": Channel.APLIKASI_MOBILE, "iOS": Channel.APLIKASI_MOBILE, "SMS 1708": Channel.SMS,
    "Medsos": Channel.MEDIA_SOSIAL, "Twitter": Channel.MEDIA_SOSIAL, "X": Channel.MEDIA_SOSIAL,
    "Instagram": Channel.MEDIA_SOSIAL, "Facebook": Channel.MEDIA_SOSIAL, "E-mail": Channel.EMAIL,
    "Pos": Channel.SURAT, "Telpon": Channel.TELEPON, "Telp": Channel.TELEPON,
    "Langsung": Channel.TATAP_MUKA, "Datang Langsung": Channel.TATAP_MUKA, "Walk-in": Channel.TATAP_MUKA,
})
GENDER_VALUES = _coded({"L": Gender.L, "Laki-laki": Gender.L, "Laki laki": Gender.L, "Lakilaki": Gender.L,
                        "Pria": Gender.L, "P": Gender.P, "Perempuan": Gender.P, "Wanita": Gender.P})
YES_NO = _coded({"Ya": True, "Y": True, "Yes": True, "True": True, "1": True, "Benar": True,
                 "Tidak": False, "T": False, "Tdk": False, "No": False, "N": False, "False": False, "0": False})


class FileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, missing required columns …)."""


@dataclass(frozen=True)
class RowError:
    row: int
    id: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "id": self.id, "message": self.message}

    def __str__(self) -> str:
        where = f"baris {self.row}" + (f" (ID Laporan {self.id})" if self.id else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: (header as in the file, recognised column label or ``None`` when ignored)
    columns: list[tuple[str, str | None]] = field(default_factory=list)
    seconds: float = 0.0
    #: category paths of the file that did not exist (created, or to be created), parents first
    new_categories: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.error_count}


# --- Reading ------------------------------------------------------------------------------------

def detect_format(path: str | os.PathLike) -> str:
    """``xlsx`` (a ZIP container) or ``csv``, from the content, not the name."""
    with open(path, "rb") as f:
        return "xlsx" if f.read(4) == b"PK\x03\x04" else "csv"


class Source:
    """A header and a stream of ``(row number, cells)``; the header is row 1."""

    header: list[Any]
    total: int = 0

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        raise NotImplementedError

    def position(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CsvSource(Source):
    """UTF-8 (with or without BOM) CSV, delimiter ``,`` or ``;`` sniffed from the header."""

    def __init__(self, path: str | os.PathLike):
        self._bin = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed by close()
        self.total = os.fstat(self._bin.fileno()).st_size
        self._text = io.TextIOWrapper(self._bin, encoding="utf-8-sig", newline="")
        try:
            first = self._text.readline()
        except UnicodeDecodeError as exc:
            self.close()
            raise FileError("File CSV harus berenkode UTF-8.") from exc
        if not first.strip():
            self.close()
            raise FileError("File kosong: baris judul kolom tidak ditemukan.")
        self.delimiter = self._sniff(first)
        self.header = next(csv.reader([first], delimiter=self.delimiter))

    @staticmethod
    def _sniff(line: str) -> str:
        try:
            return csv.Sniffer().sniff(line, delimiters=",;").delimiter
        except csv.Error:
            return ";" if line.count(";") > line.count(",") else ","

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        reader = csv.reader(self._text, delimiter=self.delimiter)
        try:
            yield from enumerate(reader, start=2)
        except UnicodeDecodeError as exc:
            raise FileError("File CSV harus berenkode UTF-8.") from exc
        except csv.Error as exc:
            raise FileError(f"CSV rusak: {exc}") from exc

    def position(self) -> int:
        return self._bin.raw.tell() if not self._bin.closed else self.total

    def close(self) -> None:
        if not self._text.closed:
            self._text.close()


class XlsxSource(Source):
    """The first sheet of an XLSX workbook, read-only (cells may be real dates or text)."""

    def __init__(self, path: str | os.PathLike):
        import zipfile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        # A file object, not the path: openpyxl refuses paths without an .xlsx extension, and web
        # uploads are stored under random names; the format was already recognised by content.
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._wb = load_workbook(self._fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
            self._fh.close()
            raise FileError("File Excel tidak dapat dibaca.") from exc
        self._ws = self._wb.worksheets[0]
        self.total = self._ws.max_row or 0
        self._iter = self._ws.iter_rows(values_only=True)
        self._done = 0
        try:
            self.header = list(next(self._iter))
        except StopIteration as exc:
            self.close()
            raise FileError("File kosong: baris judul kolom tidak ditemukan.") from exc

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        for n, row in enumerate(self._iter, start=2):
            self._done = n
            yield n, row

    def position(self) -> int:
        return self._done

    def close(self) -> None:
        self._wb.close()
        self._fh.close()


def open_source(path: str | os.PathLike) -> Source:
    return XlsxSource(path) if detect_format(path) == "xlsx" else CsvSource(path)


def map_header(header: Sequence[Any]) -> tuple[dict[str, int], list[tuple[str, str | None]], list[str]]:
    """Column index per key, the columns as (file header, recognised label), missing required labels."""
    index: dict[str, int] = {}
    columns: list[tuple[str, str | None]] = []
    for i, raw in enumerate(header):
        shown = "" if raw is None else str(raw).replace("\ufeff", "").strip()
        col = _BY_HEADER.get(header_key(raw))
        if col is not None and col.key not in index:
            index[col.key] = i
            columns.append((shown, col.label))
        else:
            columns.append((shown, None))
    missing = [c.label for c in COLUMNS if c.required and c.key not in index]
    return index, columns, missing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", timespec="minutes")
    return str(value).strip()


@dataclass
class Peek:
    """What the preview page shows of a file: its columns and first rows."""

    format: str
    columns: list[tuple[str, str | None]]
    missing: list[str]
    rows: list[list[str]]
    delimiter: str | None = None


def peek(path: str | os.PathLike, n: int = PREVIEW_ROWS) -> Peek:
    """The detected columns and the first ``n`` non-empty rows (recognised columns only)."""
    with open_source(path) as src:
        _index, columns, missing = map_header(src.header)
        keep = [i for i, (_h, label) in enumerate(columns) if label]
        rows: list[list[str]] = []
        for _n, cells in src.rows():
            values = [_text(cells[i]) if i < len(cells) else "" for i in keep]
            if any(values):
                rows.append(values)
            if len(rows) >= n:
                break
        return Peek("xlsx" if isinstance(src, XlsxSource) else "csv", columns, missing, rows,
                    getattr(src, "delimiter", None))


# --- The importer --------------------------------------------------------------------------------

ProgressFn = Callable[[int, int, int], None]


class Importer:
    """One run over one file. Use :func:`import_file` unless you need the pieces."""

    def __init__(self, path: str | os.PathLike, *, dry_run: bool = False, actor_id: int | None = None,
                 on_progress: ProgressFn | None = None, batch_size: int = BATCH_SIZE,
                 create_categories: bool = True):
        self.path = path
        #: categories of the file that do not exist yet are created (else such rows are errors); the
        #: preview lists them (``ImportResult.new_categories``) so a person approves them first
        self.create_categories = create_categories
        self.dry_run = dry_run
        self.writing = not dry_run
        self.actor_id = actor_id
        self.on_progress = on_progress
        self.batch_size = batch_size
        self.result = ImportResult(dry_run=dry_run)
        self.session = db.session
        self.now = utcnow()
        self._seen: dict[str, int] = {}
        self._due_cache: dict[tuple[dt.date, int], dt.date] = {}
        self._calendar = get_calendar()
        self._fake_ids = -1
        self._insert_sql: dict[tuple[str, tuple[str, ...]], tuple[str, list[Any]]] = {}

    # reference data ------------------------------------------------------------------------
    def _load_reference(self) -> None:
        self.opd_by_key: dict[str, int] = {}
        self.opd_code: dict[int, str] = {}
        for opd_id, code, name, aliases in self.session.execute(
                sa.select(OPD.id, OPD.code, OPD.name, OPD.aliases)):
            self.opd_code[opd_id] = code
            for spelling in (name, *(aliases or []), code):  # the code wins over a clashing name
                self.opd_by_key[header_key(spelling)] = opd_id
                self.opd_by_key[spelling] = opd_id
        self.cat_by_key: dict[str, int] = {}
        self.cat_path: dict[int, str] = {}
        self.cat_norm: dict[int, int] = {}
        rows = self.session.execute(
            sa.select(Category.id, Category.parent_id, Category.path, Category.norm_days)).all()
        parent = {r.id: r.parent_id for r in rows}
        own = {r.id: r.norm_days for r in rows}
        for r in rows:
            self.cat_by_key[header_key(r.path)] = r.id
            self.cat_path[r.id] = r.path
            node, norm = r.id, None
            while node is not None and norm is None:
                norm = own.get(node) or None
                node = parent.get(node)
            self.cat_norm[r.id] = norm or DEFAULT_NORM

    def _category_id(self, path: str) -> int:
        key = header_key(path)
        found = self.cat_by_key.get(key)
        if found is not None:
            return found
        parts = path.split(" > ")
        parent_id: int | None = None
        for depth in range(1, len(parts) + 1):
            sub = " > ".join(parts[:depth])
            sub_key = header_key(sub)
            node = self.cat_by_key.get(sub_key)
            if node is None:
                self.result.new_categories.append(sub)
                if self.writing:
                    node = self.session.execute(
                        sa.insert(Category.__table__).returning(Category.__table__.c.id),
                        {"name": parts[depth - 1], "path": sub, "parent_id": parent_id, "norm_days": None,
                         "default_opd_id": None, "keywords": "", "active": True},
                    ).scalar_one()
                else:
                    node = self._fake_ids
                    self._fake_ids -= 1
                self.cat_by_key[sub_key] = node
                self.cat_path[node] = sub
                self.cat_norm[node] = self.cat_norm[parent_id] if parent_id is not None else DEFAULT_NORM
            parent_id = node
        assert parent_id is not None
        return parent_id

    def _stage_due(self, row: dict[str, Any]) -> dt.date | None:
        """The current stage's deadline (``operations.stage_due``)."""
        from portal.complaints.operations import stage_due

        return stage_due(row["status"], row["submitted_at"], row["dispatched_at"], row["first_followup_at"],
                         None, row["due_date"], self._calendar)

    def _due(self, start: dt.datetime, norm: int) -> dt.date:
        key = (wib_day(start), norm)
        due = self._due_cache.get(key)
        if due is None:
            due = self._due_cache[key] = self._calendar.add_working_days(key[0], norm)
        return due

    # errors ----------------------------------------------------------------------------------
    def _error(self, row: int, ident: str, message: str) -> None:
        res = self.result
        res.error_count += 1
        if len(res.errors) < MAX_ERRORS_KEPT:
            res.errors.append(RowError(row, ident, message))
        self.writing = False

    # normalisation ---------------------------------------------------------------------------
    def _normalise(self, row_no: int, cells: Sequence[Any]) -> dict[str, Any] | None:
        """One row as column values, or ``None`` after recording its errors."""
        width = len(cells)
        raws = {key: cells[i] if i < width else None for key, i in self.index.items()}
        texts = {key: v.strip() if type(v) is str else _text(v) for key, v in raws.items()}
        problems: list[str] = []
        tracking = texts["tracking_no"]
        rec: dict[str, Any] = {"tracking_no": tracking}
        if not tracking:
            problems.append("ID Laporan kosong")
        elif tracking[:4].upper() == STAFF_PREFIX:
            problems.append(f"ID Laporan berawalan {STAFF_PREFIX} dicadangkan untuk laporan yang dicatat petugas")
        elif tracking in self._seen:
            problems.append(f"ID Laporan ganda: sudah ada di baris {self._seen[tracking]}")
        else:
            self._seen[tracking] = row_no

        for key in self.date_keys:
            try:
                rec[key] = parse_utc(raws[key])
            except DateError:
                problems.append(f"{LABELS[key]} bukan tanggal yang valid: «{texts[key]}»")
                rec[key] = None
        if rec["submitted_at"] is None and not texts["submitted_at"]:
            problems.append("Tanggal Laporan kosong")

        rec["text"] = texts["text"]
        if not rec["text"]:
            problems.append("Isi Laporan kosong")
        for key in ("title", "location", "name"):
            if key in texts:
                rec[key] = texts[key] or None

        status = texts["status"]
        rec["status"] = _lookup(STATUS_VALUES, status)
        if rec["status"] is None:
            problems.append(f"Status tidak dikenal: «{status}»" if status else "Status kosong")
        for key, table, label in self.coded_keys:
            value = texts[key]
            rec[key] = _lookup(table, value) if value else None
            if value and rec[key] is None:
                problems.append(f"{label} tidak dikenal: «{value}»")
        for key, label in self.yes_no_keys:
            value = texts[key]
            rec[key] = _lookup(YES_NO, value) if value else False
            if rec[key] is None:
                problems.append(f"{label} harus Ya atau Tidak: «{value}»")

        if "opd" in texts:
            value = texts["opd"]
            rec["opd_id"] = _lookup(self.opd_by_key, value) if value else None
            if value and rec["opd_id"] is None:
                problems.append(f"Instansi Tujuan tidak dikenal: «{value}»")
        if "category" in texts:
            value = texts["category"]
            path = self._clean_paths.get(value)
            if path is None and value:
                parts = [" ".join(p.split()) for p in value.split(">")]
                if not all(parts) or any(len(p) > 200 for p in parts) or len(" > ".join(parts)) > 600:
                    problems.append(f"Kategori tidak valid: «{value}»")
                else:
                    path = self._clean_paths[value] = " > ".join(parts)
            rec["_category"] = path

        if "rating" in texts:
            value = texts["rating"]
            rec["rating"] = _small_int(value)
            if value and rec["rating"] not in (1, 2, 3, 4, 5):
                problems.append(f"Rating harus 1–5: «{value}»")
        if "solution_rating" in texts:
            value = texts["solution_rating"]
            rec["solution_rating"] = _small_int(value)
            if value and rec["solution_rating"] not in (1, 2, 3, 4, 5):
                problems.append(f"Rating Solusi harus 1–5: «{value}»")
        rec["_norm"] = None
        if "norm_days" in texts:
            value = texts["norm_days"]
            rec["_norm"] = _small_int(value)
            if value and rec["_norm"] not in NORMS:
                problems.append(f"Batas Hari Kerja harus 5, 14 atau 60: «{value}»")

        for key, check, label in (("nik", normalise_nik, "NIK harus 16 digit"),
                                  ("phone", normalise_phone, "No HP bukan nomor telepon Indonesia yang valid"),
                                  ("email", looks_like_email, "Email Pelapor tidak valid")):
            if key in texts:
                try:
                    rec[key] = check(texts[key])
                except ContactError:
                    problems.append(label)
        if "followup" in texts:
            rec["_followup"] = texts["followup"] or None

        for key, limit in MAX_LENGTHS.items():
            value = rec.get(key)
            if value and len(value) > limit:
                problems.append(f"{LABELS[key]} terlalu panjang (maks. {limit} karakter)")

        if problems:
            for message in problems:
                self._error(row_no, tracking, message)
            return None
        if rec.get("_category"):
            if (self.writing and not self.create_categories
                    and header_key(rec["_category"]) not in self.cat_by_key):
                self._error(row_no, tracking, f"Kategori baru «{rec['_category']}» belum disetujui untuk dibuat")
                return None
            rec["category_id"] = self._category_id(rec["_category"])
        elif "category" in texts:
            rec["category_id"] = None
        return rec

    # running ---------------------------------------------------------------------------------
    def run(self) -> ImportResult:
        import time

        started = time.perf_counter()
        res = self.result
        try:
            with open_source(self.path) as src:
                self.index, res.columns, missing = map_header(src.header)
                if missing:
                    raise FileError("Kolom wajib tidak ada: " + ", ".join(missing))
                self.present = {_COLUMN_OF.get(k, k) for k in self.index}
                self.date_keys = [k for k in DATE_FIELDS if k in self.index]
                self.coded_keys = [(k, table, LABELS[k]) for k, table in (
                    ("type", TYPE_VALUES), ("channel", CHANNEL_VALUES), ("gender", GENDER_VALUES))
                    if k in self.index]
                self.yes_no_keys = [(k, LABELS[k]) for k in ("is_anonymous", "is_confidential", "has_disability")
                                    if k in self.index]
                self._clean_paths: dict[str, str] = {}
                self._load_reference()
                batch: list[dict[str, Any]] = []
                for row_no, cells in src.rows():
                    if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                        continue
                    res.rows += 1
                    rec = self._normalise(row_no, cells)
                    if rec is not None:
                        batch.append(rec)
                    if len(batch) >= self.batch_size:
                        self._process(batch)
                        batch = []
                        self._progress(src)
                if batch:
                    self._process(batch)
                self._progress(src)
        except FileError as exc:
            self._error(1, "", str(exc))
        except BaseException:
            self.session.rollback()
            raise
        if not res.ok or self.dry_run:
            self.session.rollback()
        res.seconds = time.perf_counter() - started
        return res

    def _progress(self, src: Source) -> None:
        if self.on_progress:
            self.on_progress(src.position(), src.total, self.result.rows)

    # writing ---------------------------------------------------------------------------------
    def _process(self, batch: list[dict[str, Any]]) -> None:
        t = Complaint.__table__
        ids = [r["tracking_no"] for r in batch]
        cols = [t.c.id, t.c.tracking_no, t.c.norm_days, t.c.due_date, t.c.last_activity_at,
                *(t.c[k] for k in MIRRORED)]
        existing = {row.tracking_no: row for row in self.session.execute(
            sa.select(*cols).where(t.c.tracking_no.in_(ids)))}
        reporters: dict[int, Any] = {}
        followups: dict[int, str] = {}
        if existing:
            cids = [row.id for row in existing.values()]
            rt = Reporter.__table__
            reporters = {r.complaint_id: r for r in self.session.execute(
                sa.select(rt).where(rt.c.complaint_id.in_(cids)))}
            ft = FollowUp.__table__
            for cid, text in self.session.execute(
                    sa.select(ft.c.complaint_id, ft.c.text)
                    .where(ft.c.complaint_id.in_(cids), ft.c.source == "import")
                    .order_by(ft.c.complaint_id, ft.c.created_at, ft.c.id)):
                followups[cid] = text  # the latest import follow-up wins

        new_rows, new_recs, updates, rep_updates, rep_inserts, events, fus = [], [], [], [], [], [], []
        for rec in batch:
            old = existing.get(rec["tracking_no"])
            if old is None:
                new_rows.append(self._new_row(rec))
                new_recs.append(rec)
                continue
            change = self._compare(rec, old, reporters.get(old.id), followups.get(old.id))
            if change is None:
                self.result.unchanged += 1
                continue
            values, changes, rep_values, fu_text = change
            self.result.updated += 1
            updates.append({"b_id": old.id, **{f"b_{k}": v for k, v in values.items()}})
            status_changed = "status" in changes
            events.append(self._event(old.id, "updated", changes=changes, public=status_changed,
                                      from_status=old.status if status_changed else None,
                                      to_status=values["status"] if status_changed else None))
            if rep_values is not None:
                if old.id in reporters:
                    rep_updates.append({"b_id": reporters[old.id].id,
                                        **{f"b_{k}": v for k, v in rep_values.items()}})
                else:
                    rep_inserts.append({"complaint_id": old.id, **rep_values})
            if fu_text:
                fus.append({"complaint_id": old.id, "opd_id": values["opd_id"], "author_id": None,
                            "created_at": self.now, "text": fu_text, "source": "import"})
        self.result.created += len(new_rows)
        if not self.writing:
            return

        if new_rows:
            self._insert_many(t, new_rows)
            new_ids = dict(self.session.execute(
                sa.select(t.c.tracking_no, t.c.id).where(t.c.tracking_no.in_([r["tracking_no"] for r in new_rows]))
            ).all())
            for rec, row in zip(new_recs, new_rows, strict=True):
                cid = new_ids[rec["tracking_no"]]
                rep = {k: rec.get(k) for k in REPORTER_FIELDS}
                rep["has_disability"] = bool(rep["has_disability"])
                if any(rep.values()):
                    rep_inserts.append({"complaint_id": cid, **rep})
                events.extend(self._history(cid, row))
                if rec.get("_followup"):
                    fus.append({"complaint_id": cid, "opd_id": row["opd_id"], "author_id": None,
                                "created_at": row["finished_at"] or row["first_followup_at"] or self.now,
                                "text": rec["_followup"], "source": "import"})
        if updates:
            keys = [k[2:] for k in updates[0] if k != "b_id"]
            self.session.execute(
                sa.update(t).where(t.c.id == sa.bindparam("b_id")).values(
                    {k: sa.bindparam(f"b_{k}") for k in keys} | {"version": t.c.version + 1}),
                updates,
            )
        if rep_updates:
            rt = Reporter.__table__
            self.session.execute(
                sa.update(rt).where(rt.c.id == sa.bindparam("b_id")).values(
                    {k: sa.bindparam(f"b_{k}") for k in REPORTER_FIELDS}),
                rep_updates,
            )
        for table, rows in ((Reporter.__table__, rep_inserts), (FollowUp.__table__, fus),
                            (ComplaintEvent.__table__, events)):
            if rows:
                self._insert_many(table, rows)

    def _insert_many(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """``executemany`` straight on the DB-API cursor, values already in the driver's form.

        SQLAlchemy's per-value type processing costs more than everything else together at
        thousands of rows a second; the converters here do the same work once per column type
        (UTC datetimes as SQLAlchemy stores them on SQLite, enums as their values, JSON as text).
        """
        conn = self.session.connection()
        names = list(rows[0])
        cached = self._insert_sql.get((table.name, tuple(names)))
        if cached is None:
            quote = conn.dialect.identifier_preparer.quote
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                   f"VALUES ({', '.join([mark] * len(names))})")
            converters = [_converter(table.c[n].type, conn.dialect.name) for n in names]
            cached = self._insert_sql[(table.name, tuple(names))] = (sql, converters)
        sql, converters = cached
        getter = operator.itemgetter(*names)
        convert = [(i, conv) for i, conv in enumerate(converters) if conv is not None]
        params = []
        for r in rows:
            values = list(getter(r))
            for i, conv in convert:
                if values[i] is not None:
                    values[i] = conv(values[i])
            params.append(tuple(values))
        if conn.dialect.name == "postgresql":  # COPY: several times faster than INSERTs
            columns = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
            raw = conn.connection.dbapi_connection
            with raw.cursor() as cur, cur.copy(
                    f"COPY {conn.dialect.identifier_preparer.quote(table.name)} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            conn.exec_driver_sql(sql, params)

    def _norm(self, rec: dict[str, Any], category_id: int | None, old: Any = None) -> int:
        """``Batas Hari Kerja``, else the category's norm, else 14.

        An existing complaint keeps its norm when the file has no such column and its category
        did not change (the norm may have been set at verification).
        """
        if rec["_norm"]:
            return rec["_norm"]
        if old is not None and "norm_days" not in self.index and category_id == old.category_id:
            return old.norm_days
        if rec.get("type") == ComplaintType.PERMINTAAN_INFORMASI:  # 5 whatever the category (docs/DOMAIN.md §4.4)
            return 5
        if category_id is not None:
            return self.cat_norm.get(category_id, DEFAULT_NORM)
        return DEFAULT_NORM

    def _new_row(self, rec: dict[str, Any]) -> dict[str, Any]:
        row = {
            "tracking_no": rec["tracking_no"],
            "submitted_at": rec["submitted_at"],
            "title": rec.get("title"),
            "text": rec["text"],
            "type": rec.get("type") or ComplaintType.PENGADUAN,
            "channel": rec.get("channel") or Channel.WEBSITE,
            "category_id": rec.get("category_id"),
            "status": rec["status"],
            "opd_id": rec.get("opd_id"),
            "location": rec.get("location"),
            "is_anonymous": bool(rec.get("is_anonymous")),
            "is_confidential": bool(rec.get("is_confidential")),
            "verified_at": rec.get("verified_at"),
            "dispatched_at": rec.get("dispatched_at"),
            "first_followup_at": rec.get("first_followup_at"),
            "finished_at": rec.get("finished_at"),
            "rating": rec.get("rating"),
            "solution_rating": rec.get("solution_rating"),
            "source": "import",
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
        }
        norm = self._norm(rec, row["category_id"])
        start = row["dispatched_at"] or row["verified_at"] or row["submitted_at"]
        row["norm_days"] = norm
        row["due_date"] = self._due(start, norm)
        row["stage_due_date"] = self._stage_due(row)
        row["last_activity_at"] = max(row[k] for k in DATE_FIELDS if row[k] is not None)
        return row

    def _compare(self, rec: dict[str, Any], old: Any, old_rep: Any, old_fu: str | None):
        """``None`` when nothing differs, else (complaint values, changes, reporter values, follow-up)."""
        values: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        for key in MIRRORED:
            current = getattr(old, key)
            if key in self.present:
                new = rec.get(key)
                if key == "type":
                    new = new or ComplaintType.PENGADUAN
                elif key == "channel":
                    new = new or Channel.WEBSITE
                elif key in ("is_anonymous", "is_confidential"):
                    new = bool(new)
                if new != current:
                    changes[_change_key(key)] = [self._show(key, current), self._show(key, new)]
            else:
                new = current
            values[key] = new
        norm = self._norm(rec, values["category_id"], old)
        if norm != old.norm_days:
            changes["norm_days"] = [old.norm_days, norm]
        values["norm_days"] = norm
        start = values["dispatched_at"] or values["verified_at"] or values["submitted_at"]
        values["due_date"] = self._due(start, norm)
        if values["due_date"] != old.due_date:
            changes["due_date"] = [_iso(old.due_date), _iso(values["due_date"])]
        values["stage_due_date"] = self._stage_due(values)

        rep_values = None
        present_rep = [k for k in REPORTER_FIELDS if k in self.index]
        if present_rep:
            merged = {k: (getattr(old_rep, k) if old_rep is not None else None) for k in REPORTER_FIELDS}
            merged["has_disability"] = bool(merged["has_disability"])
            changed = []
            for k in present_rep:
                new = bool(rec.get(k)) if k == "has_disability" else rec.get(k)
                if new != merged[k]:
                    changed.append(k)
                    merged[k] = new
            if changed and (old_rep is not None or any(merged.values())):
                rep_values = merged
                for k in changed:
                    changes[f"reporter.{k}"] = [MASK, MASK]
        fu_text = rec.get("_followup")
        if fu_text and fu_text != old_fu:
            changes["followup"] = [_short(old_fu), _short(fu_text)]
        else:
            fu_text = None
        if not changes:
            return None
        dates = [d for d in (old.last_activity_at, *(values[k] for k in DATE_FIELDS)) if d is not None]
        values["last_activity_at"] = max(dates)
        values["updated_at"] = self.now
        return values, changes, rep_values, fu_text

    def _show(self, key: str, value: Any) -> Any:
        if value is None:
            return None
        if key == "category_id":
            return self.cat_path.get(value)
        if key == "opd_id":
            return self.opd_code.get(value)
        if key in ("title", "text"):
            return _short(value)
        return _iso(value)

    def _event(self, cid: int, kind: str, *, changes: dict[str, Any] | None = None, public: bool,
               from_status: Any = None, to_status: Any = None, at: dt.datetime | None = None) -> dict[str, Any]:
        return {"complaint_id": cid, "at": at or self.now, "actor_id": self.actor_id, "kind": kind,
                "from_status": from_status, "to_status": to_status, "changes": changes or {},
                "note": None, "is_public": public}

    def _history(self, cid: int, row: dict[str, Any]) -> list[dict[str, Any]]:
        """The events of a new complaint at LAPOR!'s own dates (its public timeline), not the import time.

        Received (Tanggal Laporan), verified (internal, as in the portal), forwarded (Tanggal
        Disposisi), first follow-up (Tanggal Tindak Lanjut), finished (Tanggal Selesai) — as far as
        the file gives them and the final status agrees; a final status the dates do not explain
        (Tunda, Arsip …) is reached at the latest date known. The import time is kept in the
        received event's changes.
        """
        S = Status
        final = row["status"]
        events = [self._event(cid, "imported", public=True, to_status=S.BELUM_TERVERIFIKASI,
                              at=row["submitted_at"], changes={"imported_at": self.now.isoformat()})]
        state, last = S.BELUM_TERVERIFIKASI, row["submitted_at"]

        def step(kind: str, at: dt.datetime | None, to: Status, **extra: Any) -> None:
            nonlocal state, last
            at = max(at or last, last)  # never before the previous step
            events.append(self._event(cid, kind, public=True, from_status=state, to_status=to, at=at, **extra))
            state, last = to, at

        if row["verified_at"] is not None:
            last = max(row["verified_at"], last)
            events.append(self._event(cid, "verified", public=False, at=last))
        if final != S.BELUM_TERVERIFIKASI and row["dispatched_at"] is not None:
            opd = self.opd_code.get(row["opd_id"]) if row["opd_id"] else None
            step("dispatched", row["dispatched_at"], S.BELUM_DITINDAKLANJUTI, changes={"opd": [None, opd]})
        if final in (S.PROSES, S.SELESAI) and row["first_followup_at"] is not None and state != S.BELUM_TERVERIFIKASI:
            step("followup", row["first_followup_at"], S.PROSES)
        if final == S.SELESAI and row["finished_at"] is not None and state != S.BELUM_TERVERIFIKASI:
            step("status", row["finished_at"], S.SELESAI)
        if state != final:
            known = [d for d in (row["verified_at"], row["dispatched_at"], row["first_followup_at"],
                                 row["finished_at"]) if d is not None]
            step("status", max([last, *known]), final)
        return events


def _converter(type_: Any, dialect: str) -> Callable[[Any], Any] | None:
    """The function turning a Python value into the driver's value for a column type (``None``: as is)."""
    from portal.core.db import UTCDateTime

    if isinstance(type_, UTCDateTime):  # values here are aware UTC already
        if dialect == "sqlite":
            return lambda v: v.isoformat(" ", "microseconds")[:26]  # SQLAlchemy's SQLite format
        return lambda v: v.replace(tzinfo=None)
    if isinstance(type_, sa.Enum):
        return lambda v: getattr(v, "value", v)
    if isinstance(type_, sa.JSON):
        return json.dumps
    if isinstance(type_, sa.Date) and dialect == "sqlite":
        return lambda v: v.isoformat()
    return None


def _change_key(key: str) -> str:
    return {"category_id": "category", "opd_id": "opd"}.get(key, key)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _short(text: str | None, limit: int = 200) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _small_int(value: str) -> int | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return -1
    return int(number) if number.is_integer() else -1


# --- Whole runs: history, commit, files ------------------------------------------------------------

def import_file(path: str | os.PathLike, *, dry_run: bool = False, actor_id: int | None = None,
                on_progress: ProgressFn | None = None, batch_size: int = BATCH_SIZE,
                create_categories: bool = True) -> ImportResult:
    """Run the importer; on success (and not a dry run) the caller commits."""
    return Importer(path, dry_run=dry_run, actor_id=actor_id, on_progress=on_progress,
                    batch_size=batch_size, create_categories=create_categories).run()


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def previous_import(sha256: str, exclude_id: int | None = None) -> ImportBatch | None:
    """The last successful import of a file with the same content."""
    q = sa.select(ImportBatch).where(ImportBatch.sha256 == sha256, ImportBatch.status == "done")
    if exclude_id is not None:
        q = q.where(ImportBatch.id != exclude_id)
    return db.session.scalar(q.order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(1))


def _record(batch: ImportBatch, result: ImportResult, status: str) -> None:
    batch.status = status
    batch.rows = result.rows
    batch.created = result.created
    batch.updated = result.updated
    batch.unchanged = result.unchanged
    batch.errors = result.error_count
    batch.error_report = [e.as_dict() for e in result.errors]
    batch.new_categories = list(result.new_categories)
    batch.finished_at = utcnow()


def run_import(path: str | os.PathLike, batch: ImportBatch, *,
               on_progress: ProgressFn | None = None, create_categories: bool = True) -> ImportResult:
    """Import for real and record the outcome in ``batch``: committed together, or rolled back.

    A failed attempt is still recorded (status ``failed``, with its errors) in a commit of its own.
    ``create_categories=False`` refuses rows whose category does not exist (the web import without
    the person's approval of the preview's new categories).
    """
    batch.status = "running"
    db.session.commit()
    batch_id = batch.id
    result = import_file(path, actor_id=batch.user_id, on_progress=on_progress,
                         create_categories=create_categories)
    batch = db.session.get(ImportBatch, batch_id)
    _record(batch, result, "done" if result.ok else "failed")
    db.session.commit()
    if result.ok:
        cache.bump_generation()
    return result


def run_preview(path: str | os.PathLike, batch: ImportBatch, *,
                on_progress: ProgressFn | None = None) -> ImportResult:
    """A dry run whose counts and errors are kept in ``batch`` (``preview`` or ``invalid``)."""
    batch_id = batch.id
    result = import_file(path, dry_run=True, actor_id=batch.user_id, on_progress=on_progress)
    batch = db.session.get(ImportBatch, batch_id)
    _record(batch, result, "preview" if result.ok else "invalid")
    db.session.commit()
    return result


# --- Uploaded files (outside static/, under random names) ----------------------------------------

def import_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(token: str) -> Path:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise ValueError("bad token")
    return import_dir() / token


def store_upload(stream: Any) -> tuple[str, str, int]:
    """Copy an uploaded stream to a random file in chunks; (token, sha256, size)."""
    token = secrets.token_urlsafe(24)
    h = hashlib.sha256()
    size = 0
    with open(stored_path(token), "wb") as out:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            h.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return token, h.hexdigest(), size


def discard_upload(token: str | None) -> None:
    if token:
        with contextlib.suppress(ValueError):
            stored_path(token).unlink(missing_ok=True)


def remove_stale_uploads(max_age_hours: float = 24) -> int:
    """Delete uploads nobody confirmed within ``max_age_hours``."""
    import time

    limit = time.time() - max_age_hours * 3600
    removed = 0
    for path in import_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --- Background jobs of the upload page ------------------------------------------------------------

#: progress of jobs running in this process: on SQLite the import's write transaction would block
#: a progress UPDATE from another connection, so the page reads it from here
LIVE_PROGRESS: dict[str, tuple[int, int, int]] = {}


def _reporter(job_id: str, writing: bool) -> ProgressFn:
    from portal.core import jobs

    sqlite = db.engine.dialect.name == "sqlite"

    def report(done: int, total: int, rows: int) -> None:
        LIVE_PROGRESS[job_id] = (done, total, rows)
        if not (writing and sqlite):
            jobs.progress(job_id, done, total, f"{rows} baris")

    return report


def _fail_batch(batch_id: int, reason: str) -> None:
    """Record that a batch's job stopped: ``failed`` with the reason, its upload deleted."""
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        return
    discard_upload(batch.stored_name)
    batch.stored_name = None
    batch.status = "failed"
    batch.error_report = [{"row": None, "id": "", "message": reason[:500]}]
    batch.errors = max(batch.errors, 1)
    batch.finished_at = utcnow()
    db.session.commit()


def _system_error(exc: BaseException) -> str:
    return f"Pemrosesan berhenti karena kesalahan sistem ({type(exc).__name__}: {exc})"


def preview_job(job_id: str, batch_id: int) -> dict[str, int]:
    """Dry run of an uploaded file; an invalid file is deleted at once (it cannot be confirmed)."""
    batch = db.session.get(ImportBatch, batch_id)
    try:
        result = run_preview(stored_path(batch.stored_name), batch, on_progress=_reporter(job_id, False))
    except Exception as exc:
        _fail_batch(batch_id, _system_error(exc))
        raise
    finally:
        LIVE_PROGRESS.pop(job_id, None)
    if not result.ok:
        batch = db.session.get(ImportBatch, batch_id)
        discard_upload(batch.stored_name)
        batch.stored_name = None
        db.session.commit()
    return result.counts()


def import_job(job_id: str, batch_id: int) -> dict[str, int]:
    """The confirmed import of an uploaded file; the file is deleted afterwards."""
    batch = db.session.get(ImportBatch, batch_id)
    token = batch.stored_name
    try:
        result = run_import(stored_path(token), batch, on_progress=_reporter(job_id, True))
    except Exception as exc:
        _fail_batch(batch_id, _system_error(exc))
        raise
    finally:
        LIVE_PROGRESS.pop(job_id, None)
        discard_upload(token)
    batch = db.session.get(ImportBatch, batch_id)
    batch.stored_name = None
    db.session.commit()
    return result.counts()


#: statuses while a job works on a batch
BUSY = ("checking", "pending", "running")
#: a job that has not finished after this long lost its worker (RQ's job timeout is one hour)
STALE_AFTER = dt.timedelta(hours=2)


def sweep_stale_batches(now: dt.datetime | None = None) -> int:
    """Mark failed every busy batch whose job is over, missing, or older than :data:`STALE_AFTER`.

    A worker that crashed (or a job that failed before it could record the batch) would otherwise
    leave the batch "checking" or "running" forever. Returns how many batches were marked.
    """
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(ImportBatch.id, ImportBatch.created_at, Job.status, Job.message, Job.created_at)
        .outerjoin(Job, Job.id == ImportBatch.job_id)
        .where(ImportBatch.status.in_(BUSY))
    ).all()
    swept = 0
    for batch_id, batch_created, job_status, job_message, job_created in rows:
        started = job_created or batch_created
        if job_status == "failed":
            reason = "Pemrosesan berhenti karena kesalahan sistem" + (f" ({job_message})" if job_message else "")
        elif job_status == "done":
            reason = "Pemrosesan selesai tanpa mencatat hasilnya; unggah ulang file."
        elif started is not None and now - started > STALE_AFTER:
            reason = "Pemrosesan tidak selesai (pekerja latar berhenti); unggah ulang file."
        else:
            continue
        _fail_batch(batch_id, reason)
        swept += 1
    return swept


def claim_for_import(batch: ImportBatch) -> str | None:
    """Move a previewed batch to ``pending`` unless it or another batch of the same file is busy.

    ``None`` when claimed; otherwise the reason, in the UI language. The conditional UPDATE and
    the partial unique index on ``sha256`` (busy batches only) keep concurrent confirmations to one.
    """
    from flask_babel import gettext as _

    other = db.session.scalar(
        sa.select(ImportBatch.id).where(ImportBatch.sha256 == batch.sha256, ImportBatch.id != batch.id,
                                        ImportBatch.status.in_(("pending", "running"))).limit(1))
    if other is not None:
        return _("File yang sama sedang diimpor (impor #%(n)s); tunggu sampai selesai, lalu lihat hasilnya di "
                 "sana.", n=other)
    try:
        claimed = db.session.execute(
            sa.update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "preview")
            .values(status="pending").execution_options(synchronize_session=False)).rowcount
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return _("File yang sama sedang diimpor; tunggu sampai selesai.")
    if not claimed:
        return _("Impor ini sudah dikonfirmasi; hanya satu impor yang dijalankan.")
    db.session.expire(batch)
    return None

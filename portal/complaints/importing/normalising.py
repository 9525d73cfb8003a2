"""Normalising: one file row to the portal's column values, or its row errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from portal.complaints.contact import ContactError, looks_like_email, normalise_nik, normalise_phone
from portal.complaints.importing.dates import DateError, parse_utc, wib_day
from portal.complaints.importing.reading import cell_text
from portal.complaints.importing.vocabulary import LABELS, MAX_LENGTHS, STATUS_VALUES, YES_NO, header_key, lookup
from portal.complaints.models import DEFAULT_NORM, NORMS, Category, ComplaintType, inherited_norm
from portal.complaints.tracking import STAFF_PREFIX
from portal.core.workdays import WorkCalendar
from portal.people.models import OPD

#: errors kept for the report; beyond this they are only counted
MAX_ERRORS_KEPT = 100_000


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
    #: rows where LAPOR! disagrees with the portal's own later work (``ImportBatch.conflicts``)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    #: "Belum di LAPOR!" worklist items this file shows done
    synced: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.error_count}


class Normaliser:
    """The row-level half of an :class:`~portal.complaints.importing.writing.Importer`: reference data,
    categories, due dates and the checks of each row (``self.index``, ``self.result`` … are set by it)."""

    # set by the Importer (its ``__init__`` and ``run``)
    session: Any
    result: ImportResult
    index: dict[str, int]
    date_keys: list[str]
    coded_keys: list[tuple[str, Any, str]]
    yes_no_keys: list[tuple[str, str]]
    create_categories: bool
    _seen: dict[str, int]
    _calendar: WorkCalendar
    _due_cache: dict[tuple[dt.date, int], dt.date]
    _fake_ids: int
    _clean_paths: dict[str, str]

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
            self.cat_norm[r.id] = inherited_norm(r.id, own, parent)

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
        texts = {key: v.strip() if type(v) is str else cell_text(v) for key, v in raws.items()}
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
        rec["status"] = lookup(STATUS_VALUES, status)
        if rec["status"] is None:
            problems.append(f"Status tidak dikenal: «{status}»" if status else "Status kosong")
        for key, table, label in self.coded_keys:
            value = texts[key]
            rec[key] = lookup(table, value) if value else None
            if value and rec[key] is None:
                problems.append(f"{label} tidak dikenal: «{value}»")
        for key, label in self.yes_no_keys:
            value = texts[key]
            rec[key] = lookup(YES_NO, value) if value else False
            if rec[key] is None:
                problems.append(f"{label} harus Ya atau Tidak: «{value}»")

        if "opd" in texts:
            value = texts["opd"]
            rec["opd_id"] = lookup(self.opd_by_key, value) if value else None
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
            rec["rating"] = small_int(value)
            if value and rec["rating"] not in (1, 2, 3, 4, 5):
                problems.append(f"Rating harus 1–5: «{value}»")
        if "solution_rating" in texts:
            value = texts["solution_rating"]
            rec["solution_rating"] = small_int(value)
            if value and rec["solution_rating"] not in (1, 2, 3, 4, 5):
                problems.append(f"Rating Solusi harus 1–5: «{value}»")
        rec["_norm"] = None
        if "norm_days" in texts:
            value = texts["norm_days"]
            rec["_norm"] = small_int(value)
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


def small_int(value: str) -> int | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return -1
    return int(number) if number.is_integer() else -1


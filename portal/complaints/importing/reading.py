"""Reading an export: CSV or XLSX to a header and a stream of rows; the preview's peek."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from portal.complaints.importing.vocabulary import BY_HEADER, COLUMNS, header_key

PREVIEW_ROWS = 5


class FileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, missing required columns …)."""



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
        return self._bin.raw.tell() if not self._bin.closed else self.total  # type: ignore[attr-defined]

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
        col = BY_HEADER.get(header_key(raw))
        if col is not None and col.key not in index:
            index[col.key] = i
            columns.append((shown, col.label))
        else:
            columns.append((shown, None))
    missing = [c.label for c in COLUMNS if c.required and c.key not in index]
    return index, columns, missing


def cell_text(value: Any) -> str:
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
            values = [cell_text(cells[i]) if i < len(cells) else "" for i in keep]
            if any(values):
                rows.append(values)
            if len(rows) >= n:
                break
        return Peek("xlsx" if isinstance(src, XlsxSource) else "csv", columns, missing, rows,
                    getattr(src, "delimiter", None))


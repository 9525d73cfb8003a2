"""CSV the portal writes, safe to open in a spreadsheet: the ONE place that writes CSV cells.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
spreadsheet programs as a formula (CSV/formula injection). Following OWASP's rule such a text cell
gets a leading apostrophe, which spreadsheets show as text and which keeps every character of the
original. Numbers stay numbers: ``-5`` as an ``int`` or ``float`` is written as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

#: what makes a spreadsheet read a cell as a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: text that could start a formula is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class SafeWriter:
    """``csv.writer`` whose every row goes through :func:`safe_cell`."""

    def __init__(self, stream, **kw):
        self._w = csv.writer(stream, **kw)

    def writerow(self, values: Iterable[Any]):
        return self._w.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **kw) -> SafeWriter:
    return SafeWriter(stream, **kw)


def line(values: Iterable[Any]) -> str:
    """One CSV line (with its line end) of safe cells."""
    buf = io.StringIO()
    writer(buf).writerow(values)
    return buf.getvalue()

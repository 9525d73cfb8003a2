"""The monthly monitoring indicators page (docs/DOMAIN.md §8): per month, for the province or one OPD,
with CSV and XLSX downloads of the same table. Read by Kominfo, leadership and the Ombudsman."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, request

from portal.complaints import indicators as ind
from portal.core.auth import role_required
from portal.core.i18n import MONTHS_ID, angka
from portal.core.models import OPD
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings import bp
from portal.meetings.report.cli import opd_ids_for
from portal.meetings.report.routes import READERS

MAX_MONTHS = 24


def _month(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return default


def _month_end(first: dt.date) -> dt.date:
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _params() -> dict[str, Any]:
    today = today_wib()
    first = _month(request.args.get("dari"), dt.date(today.year, 1, 1))
    last = _month(request.args.get("sampai"), today.replace(day=1))
    if last < first:
        first, last = last, first
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MAX_MONTHS:
        abort(400)
    code = (request.args.get("opd") or "").strip()
    opd = None
    ids = None
    if code:
        opd = db.session.scalar(sa.select(OPD).where(sa.func.lower(OPD.code) == code.lower()))
        if opd is None:
            abort(404)
        ids = opd_ids_for(opd.code)
    return {"first": first, "last": last, "end": _month_end(last), "opd": opd, "ids": ids}


def _month_label(day: dt.date) -> str:
    return f"{MONTHS_ID[day.month - 1][:3]} {day.year}"


def table_rows(table: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (no., indicator, one value per month, period) — numbers stay numbers."""
    header = ["No.", "Indikator", *(_month_label(m["start"]) for m in table["months"]), "Periode"]
    rows: list[list[Any]] = []
    columns = [m["values"] for m in table["months"]] + [table["total"]]
    for key, label, _digits in ind.LABELS:
        if key == "22":
            continue
        rows.append([key, label, *(v[key] for v in columns)])
    cats = sorted({c for v in columns for c in v["22"]})
    for cat in cats:
        rows.append(["22", f"Jumlah aduan kategori {cat}", *(v["22"].get(cat, 0) for v in columns)])
    return header, rows


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a leading quote.

    Local stand-in until ``portal/core/csvsafe.py`` lands (swap at merge).
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _filename(p: dict[str, Any], ext: str) -> str:
    scope = p["opd"].code.lower() if p["opd"] else "provinsi"
    return f"indikator-{scope}-{p['first']:%Y-%m}-{p['last']:%Y-%m}.{ext}"


@bp.get("/indikator")
@role_required(*READERS)
def indicators_page():
    p = _params()
    table = ind.monthly_table(p["first"], p["end"], p["ids"])
    header, rows = table_rows(table)
    opds = db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name)).all()
    digits = {k: d for k, _label, d in ind.LABELS}
    return render("meetings/report/indicators.html", p=p, header=header, rows=rows, opds=opds, digits=digits,
                  fmt=lambda v, d: "–" if v is None else (v if isinstance(v, str) else angka(v, d)),
                  args={"dari": f"{p['first']:%Y-%m}", "sampai": f"{p['last']:%Y-%m}",
                        "opd": p["opd"].code if p["opd"] else ""})


@bp.get("/indikator.csv")
@role_required(*READERS)
def indicators_csv():
    p = _params()
    header, rows = table_rows(ind.monthly_table(p["first"], p["end"], p["ids"]))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([safe_cell(h) for h in header])
    for row in rows:
        w.writerow([safe_cell("–" if v is None else v) for v in row])
    resp = Response("\ufeff" + buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(p, "csv")}"'
    return resp


@bp.get("/indikator.xlsx")
@role_required(*READERS)
def indicators_xlsx():
    from openpyxl import Workbook

    p = _params()
    header, rows = table_rows(ind.monthly_table(p["first"], p["end"], p["ids"]))
    wb = Workbook()
    ws = wb.active
    ws.title = "Indikator"
    ws.append([safe_cell(h) for h in header])
    for row in rows:
        ws.append([safe_cell("–" if v is None else v) for v in row])
    ws.column_dimensions["B"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    resp = Response(buf.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(p, "xlsx")}"'
    return resp

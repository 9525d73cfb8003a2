"""The monthly monitoring indicators page (docs/DOMAIN.md §8): per month, for the province or one OPD,
with CSV and XLSX downloads of the same table. Read by Kominfo, leadership and the Ombudsman."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, request
from flask_babel import lazy_gettext as _l

from portal.complaints import indicators as ind
from portal.core.auth import role_required
from portal.core.i18n import OFFICIAL_LOCALE, angka, bulan
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings import bp
from portal.meetings.report.cli import opd_ids_for
from portal.meetings.report.routes import READERS
from portal.people.models import OPD

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
    """Indonesian like the rest of the table's headings (the export is an official record)."""
    return bulan(day, OFFICIAL_LOCALE)


#: the satisfaction rows added under the roadmap's indicators (docs/DOMAIN.md §12), translated at run time
IKM_ROW_LABELS = {
    "IKM": _l("Indeks Kepuasan Masyarakat (IKM, PermenPANRB 14/2017); target kepuasan peta jalan 95"),
    "IKM-n": _l("Responden Survei Kepuasan Masyarakat"),
    "IKM-p": _l("Unsur SKM bernilai terendah (prioritas perbaikan)"),
}


def ikm_rows(table: dict[str, Any], opd_ids: list[int] | None) -> list[list[Any]]:
    """IKM, respondents and the lowest elements per month and for the whole period."""
    from portal.complaints import survey

    spans = [(m["start"], m["end"]) for m in table["months"]]
    spans.append((spans[0][0], spans[-1][1]) if spans else (None, None))
    values = [survey.ikm(s, e, opd_ids=opd_ids) for s, e in spans]
    labels = IKM_ROW_LABELS
    return [["IKM", str(labels["IKM"]), *(v["ikm"] for v in values)],
            ["IKM-n", str(labels["IKM-n"]), *(v["n"] for v in values)],
            ["IKM-p", str(labels["IKM-p"]), *(", ".join(k.upper() for k in v["priorities"]) or None for v in values)]]


def table_rows(table: dict[str, Any], opd_ids: list[int] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (no., indicator, one value per month, period) — numbers stay numbers;
    the satisfaction index (IKM) follows the roadmap's indicators."""
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
    rows.extend(ikm_rows(table, opd_ids))
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
    header, rows = table_rows(table, p["ids"])
    opds = db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name)).all()
    digits = {k: d for k, _label, d in ind.LABELS} | {"IKM": 2}
    return render("meetings/report/indicators.html", p=p, header=header, rows=rows, opds=opds, digits=digits,
                  fmt=lambda v, d: "–" if v is None else (v if isinstance(v, str) else angka(v, d)),
                  args={"dari": f"{p['first']:%Y-%m}", "sampai": f"{p['last']:%Y-%m}",
                        "opd": p["opd"].code if p["opd"] else ""})


@bp.get("/indikator.csv")
@role_required(*READERS)
def indicators_csv():
    p = _params()
    header, rows = table_rows(ind.monthly_table(p["first"], p["end"], p["ids"]), p["ids"])
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
    header, rows = table_rows(ind.monthly_table(p["first"], p["end"], p["ids"]), p["ids"])
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

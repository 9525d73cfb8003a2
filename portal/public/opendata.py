"""Open data: the anonymised complaints and the statistics as CSV and JSON, streamed, with a dictionary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Response, request, stream_with_context

from portal.complaints.models import Category, Complaint, Instansi, Reporter
from portal.complaints.redaction import CSV_COLUMNS, csv_row, public_view
from portal.complaints.stats import RECAP_KEYS, period_filter
from portal.core import csvsafe
from portal.core.db import utcnow
from portal.core.render import render
from portal.extensions import db
from portal.people.models import OPD
from portal.public import bp, exports, queries
from portal.public.api import api_error
from portal.public.limits import public_limit
from portal.public.queries import BadRequest

CHUNK = 2000
STATS_COLUMNS = ["code", "name", *RECAP_KEYS, "n_rtl", "n_rv", "n_rhp", "rtl_median", "rv_median", "n_all"]


@bp.get("/data")
def open_data():
    return render("public/data.html", csv_columns=CSV_COLUMNS, stats_columns=STATS_COLUMNS)


def _period_refused(exc: BadRequest):
    """A download asked by a person (the page's form, a CSV link) with a bad period: the page again,
    with the message in the UI language and the dates kept (JSON errors are for the .json endpoints)."""
    return render("public/data.html", status=400, csv_columns=CSV_COLUMNS, stats_columns=STATS_COLUMNS,
                  period_error=str(exc), period_from=request.args.get("from", ""),
                  period_to=request.args.get("to", ""))


#: the columns the anonymised view needs, fetched as plain tuples (no ORM objects, no identity map)
_VIEW_COLUMNS = (
    Complaint.tracking_no, Complaint.status, Complaint.submitted_at, Complaint.verified_at,
    Complaint.dispatched_at, Complaint.first_followup_at, Complaint.finished_at, Complaint.updated_at,
    Complaint.due_date, Complaint.is_confidential, Complaint.title, Complaint.text, Complaint.type,
    Complaint.channel, Complaint.category_id, Complaint.location, Complaint.norm_days, Complaint.rating,
    Complaint.forwarded_at,
)
_NAMES = [c.key for c in _VIEW_COLUMNS]


class _Named:
    """A light stand-in for a related row (``opd.code``, ``reporter.name`` …)."""

    __slots__ = ("__dict__",)

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)



def _complaints(start, end) -> Iterator[dict]:
    """Every complaint of the period, anonymised by :func:`public_view`, oldest first, streamed.

    One query with the joins; rows come as tuples in chunks of ``CHUNK`` (``yield_per``) and are
    wrapped in light objects with the attributes :func:`public_view` reads, so the ONE anonymisation
    path is unchanged while no ORM object is built.
    """
    q = (sa.select(*_VIEW_COLUMNS, OPD.code, OPD.name, Category.path,
                   Reporter.id, Reporter.name, Reporter.nik, Reporter.phone, Reporter.email, Instansi.name)
         .select_from(Complaint)
         .outerjoin(OPD, OPD.id == Complaint.opd_id)
         .outerjoin(Instansi, Instansi.id == Complaint.forwarded_to_id)
         .outerjoin(Category, Category.id == Complaint.category_id)
         .outerjoin(Reporter, Reporter.complaint_id == Complaint.id)
         .where(*period_filter(start, end))
         .order_by(Complaint.submitted_at, Complaint.id)
         .execution_options(yield_per=CHUNK))
    n = len(_NAMES)
    for row in db.session.execute(q).tuples():
        opd_code, opd_name, cat_path, rep_id, rep_name, nik, phone, email, forwarded_to = row[n:]
        c = _Named(**dict(zip(_NAMES, row[:n], strict=True)),
                   forwarded_to=_Named(name=forwarded_to) if forwarded_to is not None else None,
                   opd=_Named(code=opd_code, name=opd_name) if opd_code is not None else None,
                   category=_Named(path=cat_path) if cat_path is not None else None,
                   reporter=_Named(name=rep_name, nik=nik, phone=phone, email=email) if rep_id is not None else None)
        yield public_view(c)  # type: ignore[arg-type]


def _csv_line(values) -> str:
    return csvsafe.line(values)


def _period():
    return queries.parse_period(request.args)


def _download(body, mimetype: str, filename: str) -> Response:
    resp = Response(stream_with_context(body), mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def csv_body(start=None, end=None) -> Iterator[str]:
    """The public CSV of the complaints submitted in [start, end] (all when both are ``None``)."""
    yield "\ufeff" + _csv_line(CSV_COLUMNS)
    batch = []
    for view in _complaints(start, end):
        batch.append(_csv_line(csv_row(view)))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def json_body(start=None, end=None) -> Iterator[str]:
    """The public JSON of the complaints submitted in [start, end] (all when both are ``None``)."""
    head = {"generated_at": utcnow().isoformat(timespec="seconds"),
            "from": start.isoformat() if start else None, "to": end.isoformat() if end else None}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "complaints": ['
    first = True
    for view in _complaints(start, end):
        yield ("" if first else ",\n") + json.dumps(view, ensure_ascii=False)
        first = False
    yield "]}\n"


#: the full exports: file name → the function writing it (``exports.build_all``, the ``exports build`` command)
FULL_EXPORTS = {"laporan.csv": csv_body, "laporan.json": json_body}


@bp.get("/data/laporan.csv")
@public_limit
def data_complaints_csv():
    try:
        start, end = _period()
    except BadRequest as exc:
        return _period_refused(exc)

    if start is None and end is None:  # the full export: a file per data generation (portal/public/exports.py)
        return exports.serve("laporan.csv", csv_body, "text/csv; charset=utf-8", "laporan-publik.csv")
    return _download(csv_body(start, end), "text/csv; charset=utf-8", "laporan-publik.csv")


@bp.get("/data/laporan.json")
@public_limit
def data_complaints_json():
    try:
        start, end = _period()
    except BadRequest as exc:
        return api_error(400, str(exc))

    if start is None and end is None:  # the full export: a file per data generation (portal/public/exports.py)
        return exports.serve("laporan.json", json_body, "application/json", "laporan-publik.json")
    return _download(json_body(start, end), "application/json", "laporan-publik.json")


def _stats(start, end) -> dict:
    data = queries.dashboard(start, end)
    return {
        "from": start.isoformat(), "to": end.isoformat(), "recap": data["recap"],
        "medians": data["medians"],
        "opd": [{k: r.get(k) for k in STATS_COLUMNS} for r in data["per_opd"]],
        "category": data["category"], "channel": data["channel"], "region": data["region"],
        "reporter": data["reporter"], "monthly": data["monthly"],
    }


@bp.get("/data/statistik.json")
@public_limit
def data_stats_json():
    try:
        start, end = queries.parse_period(request.args, default_year=True)
    except BadRequest as exc:
        return api_error(400, str(exc))
    resp = Response(json.dumps(_stats(start, end), ensure_ascii=False), mimetype="application/json")
    resp.headers["Content-Disposition"] = 'attachment; filename="statistik.json"'
    return resp


@bp.get("/data/statistik.csv")
@public_limit
def data_stats_csv():
    try:
        start, end = queries.parse_period(request.args, default_year=True)
    except BadRequest as exc:
        return _period_refused(exc)
    data = _stats(start, end)
    lines = ["\ufeff" + _csv_line(STATS_COLUMNS)]
    lines += [_csv_line(["" if r.get(k) is None else r.get(k) for k in STATS_COLUMNS]) for r in data["opd"]]
    total = {"code": "", "name": "SEMUA OPD", **data["recap"], **data["medians"]}
    lines.append(_csv_line(["" if total.get(k) is None else total.get(k) for k in STATS_COLUMNS]))
    resp = Response("".join(lines), mimetype="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = f'attachment; filename="statistik-{start}-{end}.csv"'
    return resp

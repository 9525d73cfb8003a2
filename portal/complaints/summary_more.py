"""The second set of summary rows: regions and reporters per day, RTL/RV histograms per month × OPD.

The dashboard's regions, reporters (gender, disability) and medians used to be computed from every
complaint of the period on a cache miss (2.3–2.8 s for the medians, 1.3–1.5 s for the reporters at 1M
on PostgreSQL). Two tables, kept by triggers like ``complaint_summary`` (portal/complaints/summary.py),
answer them instead:

``complaint_breakdown`` — WIB day × region × gender × disability: ``n``, ``n_done`` (Proses + Selesai).
  ``region`` is the first comma-separated part of the free-text location, trimmed; the reader redacts it
  and folds rare ones (``public_stats.MIN_REGION``) exactly as the live query does. Hidden complaints
  (confidential or unpublished, ``summary._hidden_sql``) are counted under region '' , gender '' and
  disability 0 only. The gender and disability live on ``reporter``, so ``reporter`` has triggers too.

``complaint_duration`` — WIB month × OPD × kind ('f' RTL: to the first follow-up, 'v' RV: to the
  verification) × bucket: ``n``. A bucket is a duration in tenths of a day, truncated: 0.1-day buckets
  below 10 days, whole days from 10 days on; negative durations (data errors) count as 0. A median read
  from it is the median of the truncated durations (:func:`bucket`) — exact for that definition, within
  0.1 day (below 10 days) or 1 day (above) of the median of the raw durations. Months lying wholly in
  the period come from the rows; the days of a partly covered month at either end are counted live
  with the same bucketing (at most two months of complaints).

Sentinels instead of NULL keep the unique keys usable (opd_id 0, region and gender '').
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm

from portal.complaints.summary import SQLITE_UPDATE_COLUMNS, _hidden_sql
from portal.extensions import db

BD_KEY = ("day", "region", "gender", "disability")
BD_MEASURES = ("n", "n_done")
DU_KEY = ("month", "opd_id", "kind", "bucket")


class ComplaintBreakdown(db.Model):
    __tablename__ = "complaint_breakdown"
    __table_args__ = (sa.UniqueConstraint(*BD_KEY, name="uq_complaint_breakdown_key"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    day: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    region: orm.Mapped[str] = orm.mapped_column(sa.String(300), nullable=False)
    gender: orm.Mapped[str] = orm.mapped_column(sa.String(1), nullable=False)
    disability: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    n: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    n_done: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)


class ComplaintDuration(db.Model):
    __tablename__ = "complaint_duration"
    __table_args__ = (sa.UniqueConstraint(*DU_KEY, name="uq_complaint_duration_key"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    month: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    opd_id: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(1), nullable=False)
    bucket: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    n: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)


def bucket(days: float) -> int:
    """A duration in days as its bucket (tenths of a day): what the SQL below computes."""
    days = max(days, 0.0)
    return math.floor(days * 10 + 1e-6) if days < 10 else math.floor(days + 1e-7) * 10


# --- SQL per dialect ------------------------------------------------------------------------------

def _bd_select(pg: bool, source: str, sign: int, reporter: bool) -> str:
    """Grouped breakdown contributions of the complaints ``c`` of ``source`` (a FROM … WHERE tail);
    with ``reporter`` the reporter ``r`` of ``source`` gives the gender and disability, else unknown."""
    hidden = _hidden_sql("c.")
    if pg:
        region = "btrim(split_part(c.location, ',', 1), E' \\t\\n\\r')"
        day = "(c.submitted_at + interval '7 hours')::date"
        gender = "COALESCE(r.gender::text, '')" if reporter else "''"
        dis = "COALESCE(r.has_disability::int, 0)" if reporter else "0"
    else:
        region = ("trim(CASE WHEN instr(c.location, ',') > 0 THEN substr(c.location, 1, instr(c.location, ',') - 1) "
                  "ELSE c.location END, char(32, 9, 10, 13))")
        day = "date(c.submitted_at, '+7 hours')"
        gender = "COALESCE(r.gender, '')" if reporter else "''"
        dis = "COALESCE(r.has_disability, 0)" if reporter else "0"
    return (f"SELECT {day}, CASE WHEN {hidden} THEN '' ELSE COALESCE({region}, '') END, "
            f"CASE WHEN {hidden} THEN '' ELSE {gender} END, CASE WHEN {hidden} THEN 0 ELSE {dis} END, "
            f"{sign} * count(*), {sign} * sum(CASE WHEN c.status IN ('proses', 'selesai') THEN 1 ELSE 0 END) "
            f"{source} GROUP BY 1, 2, 3, 4")


def _du_select(pg: bool, source: str, sign: int) -> str:
    """Grouped histogram contributions of the complaints ``c`` of ``source`` (one row per kind)."""
    if pg:
        month = "date_trunc('month', c.submitted_at + interval '7 hours')::date"
        days = "GREATEST(EXTRACT(EPOCH FROM (c.t_at - c.submitted_at)) / 86400.0, 0)"
        b = f"CASE WHEN {days} < 10 THEN floor({days} * 10 + 1e-6)::int ELSE floor({days} + 1e-7)::int * 10 END"
    else:
        month = "date(c.submitted_at, '+7 hours', 'start of month')"
        days = "max(julianday(c.t_at) - julianday(c.submitted_at), 0)"
        b = (f"CASE WHEN {days} < 10 THEN CAST({days} * 10 + 1e-6 AS INTEGER) "
             f"ELSE CAST({days} + 1e-7 AS INTEGER) * 10 END")
    inner = (f"SELECT c.submitted_at AS submitted_at, c.opd_id AS opd_id, 'f' AS kind, c.first_followup_at AS t_at "
             f"{source} UNION ALL SELECT c.submitted_at, c.opd_id, 'v', c.verified_at {source}")
    return (f"SELECT {month}, COALESCE(c.opd_id, 0), c.kind, {b}, {sign} * count(*) FROM ({inner}) AS c "
            "WHERE c.t_at IS NOT NULL GROUP BY 1, 2, 3, 4")


def _upsert(table: str, key: tuple, measures: tuple, select: str, pg: bool) -> str:
    cols = ", ".join((*key, *measures))
    sets = ", ".join(f"{m} = {table}.{m} + excluded.{m}" if pg else f"{m} = {m} + excluded.{m}" for m in measures)
    if not pg and " WHERE " not in select.split(" GROUP BY ")[0]:
        select = select.replace(" GROUP BY ", " WHERE 1 GROUP BY ", 1)
    return f"INSERT INTO {table} ({cols}) {select} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"


def _bd(select: str, pg: bool) -> str:
    return _upsert("complaint_breakdown", BD_KEY, BD_MEASURES, select, pg)


def _du(select: str, pg: bool) -> str:
    return _upsert("complaint_duration", DU_KEY, ("n",), select, pg)


_JOINED = "FROM complaint c LEFT JOIN reporter r ON r.complaint_id = c.id"


def sqlite_ddl() -> list[str]:
    names = ("complaint_more_ins", "complaint_more_bupd", "complaint_more_aupd", "complaint_more_del",
             "reporter_more_ins", "reporter_more_bupd", "reporter_more_aupd", "reporter_more_del")
    cols = f"{SQLITE_UPDATE_COLUMNS}, location"
    rcols = "complaint_id, gender, has_disability"

    def complaint(row: str, sign: int) -> str:
        return (_bd(_bd_select(False, f"{_JOINED} WHERE c.id = {row}.id", sign, True), False) + "; "
                + _du(_du_select(False, f"FROM complaint c WHERE c.id = {row}.id", sign), False) + ";")

    def reporter(row: str, sign: int) -> str:  # ``sign`` for the reporter's values, minus it for unknown
        known = f"FROM complaint c JOIN reporter r ON r.complaint_id = c.id WHERE r.id = {row}.id"
        unknown = f"FROM complaint c WHERE c.id = {row}.complaint_id"
        return (_bd(_bd_select(False, unknown, -sign, False), False) + "; "
                + _bd(_bd_select(False, known, sign, True), False) + ";")

    return [
        *(f"DROP TRIGGER IF EXISTS {n}" for n in names),
        f"CREATE TRIGGER complaint_more_ins AFTER INSERT ON complaint BEGIN {complaint('NEW', 1)} END",
        f"CREATE TRIGGER complaint_more_bupd BEFORE UPDATE OF {cols} ON complaint BEGIN {complaint('OLD', -1)} END",
        f"CREATE TRIGGER complaint_more_aupd AFTER UPDATE OF {cols} ON complaint BEGIN {complaint('NEW', 1)} END",
        f"CREATE TRIGGER complaint_more_del BEFORE DELETE ON complaint BEGIN {complaint('OLD', -1)} END",
        f"CREATE TRIGGER reporter_more_ins AFTER INSERT ON reporter BEGIN {reporter('NEW', 1)} END",
        f"CREATE TRIGGER reporter_more_bupd BEFORE UPDATE OF {rcols} ON reporter BEGIN {reporter('OLD', -1)} END",
        f"CREATE TRIGGER reporter_more_aupd AFTER UPDATE OF {rcols} ON reporter BEGIN {reporter('NEW', 1)} END",
        f"CREATE TRIGGER reporter_more_del BEFORE DELETE ON reporter BEGIN {reporter('OLD', -1)} END",
    ]


def pg_ddl() -> list[str]:
    def bd(source: str, sign: int, rep: bool) -> str:
        return _bd(_bd_select(True, source, sign, rep), True) + ";"

    def du(source: str, sign: int) -> str:
        return _du(_du_select(True, source, sign), True) + ";"

    old_j = "FROM old_rows c LEFT JOIN reporter r ON r.complaint_id = c.id"
    new_j = "FROM new_rows c LEFT JOIN reporter r ON r.complaint_id = c.id"
    old_r = "FROM old_rows r JOIN complaint c ON c.id = r.complaint_id"
    new_r = "FROM new_rows r JOIN complaint c ON c.id = r.complaint_id"
    complaint_fn = f"""
CREATE OR REPLACE FUNCTION complaint_more_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {du("FROM old_rows c", -1)}
  END IF;
  IF TG_OP = 'UPDATE' THEN
    {bd(old_j, -1, True)}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {bd(new_j, 1, True)}
    {du("FROM new_rows c", 1)}
  END IF;
  RETURN NULL;
END $$"""
    # a delete is counted row by row BEFORE the cascade removes the reporter
    delete_fn = f"""
CREATE OR REPLACE FUNCTION complaint_more_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {bd(_JOINED + " WHERE c.id = OLD.id", -1, True)}
  RETURN OLD;
END $$"""
    reporter_fn = f"""
CREATE OR REPLACE FUNCTION reporter_more_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {bd(old_r, -1, True)}
    {bd(old_r, 1, False)}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {bd(new_r, -1, False)}
    {bd(new_r, 1, True)}
  END IF;
  RETURN NULL;
END $$"""
    drops = [f"DROP TRIGGER IF EXISTS {n} ON {t}" for n, t in (
        ("complaint_more_ins", "complaint"), ("complaint_more_upd", "complaint"), ("complaint_more_del", "complaint"),
        ("complaint_more_bdel", "complaint"), ("reporter_more_ins", "reporter"), ("reporter_more_upd", "reporter"),
        ("reporter_more_del", "reporter"))]
    return [
        complaint_fn, delete_fn, reporter_fn, *drops,
        "CREATE TRIGGER complaint_more_ins AFTER INSERT ON complaint REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION complaint_more_apply()",
        "CREATE TRIGGER complaint_more_upd AFTER UPDATE ON complaint REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_more_apply()",
        "CREATE TRIGGER complaint_more_del AFTER DELETE ON complaint REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION complaint_more_apply()",
        "CREATE TRIGGER complaint_more_bdel BEFORE DELETE ON complaint FOR EACH ROW "
        "EXECUTE FUNCTION complaint_more_delete()",
        "CREATE TRIGGER reporter_more_ins AFTER INSERT ON reporter REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION reporter_more_apply()",
        "CREATE TRIGGER reporter_more_upd AFTER UPDATE ON reporter REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporter_more_apply()",
        "CREATE TRIGGER reporter_more_del AFTER DELETE ON reporter REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION reporter_more_apply()",
    ]


def rebuild_sql(pg: bool) -> list[str]:
    """Statements that recompute both tables from the complaints (also used by the migration)."""
    bd_cols, du_cols = ", ".join((*BD_KEY, *BD_MEASURES)), ", ".join((*DU_KEY, "n"))
    return ["DELETE FROM complaint_breakdown", "DELETE FROM complaint_duration",
            f"INSERT INTO complaint_breakdown ({bd_cols}) {_bd_select(pg, _JOINED, 1, True)}",
            f"INSERT INTO complaint_duration ({du_cols}) {_du_select(pg, 'FROM complaint c', 1)}"]


def rebuild(conn) -> None:
    for stmt in rebuild_sql(conn.dialect.name == "postgresql"):
        conn.exec_driver_sql(stmt)


def rows(session=None) -> dict[str, dict[tuple, tuple]]:
    """Both tables as ``{table: {key: measures}}``, zero rows left out (the consistency check)."""
    session = session or db.session
    out: dict[str, dict[tuple, tuple]] = {}
    for model, key, measures in ((ComplaintBreakdown, BD_KEY, BD_MEASURES), (ComplaintDuration, DU_KEY, ("n",))):
        t = model.__table__
        found = {}
        for row in session.execute(sa.select(*(t.c[k] for k in key), *(t.c[m] for m in measures))):
            m = tuple(int(v) for v in row[len(key):])
            if any(m):
                found[tuple(row[:len(key)])] = m
        out[model.__tablename__] = found
    return out


def live_rows(session=None) -> dict[str, dict[tuple, tuple]]:
    """:func:`rows` as recomputed from the complaints now (in a savepoint rolled back)."""
    session = session or db.session
    nested = session.begin_nested()
    rebuild(session.connection())
    out = rows(session)
    nested.rollback()
    return out


# --- readers ------------------------------------------------------------------------------------

def _day_where(t, start, end) -> list:
    conds = []
    if start:
        conds.append(t.c.day >= start)
    if end:
        conds.append(t.c.day <= end)
    return conds


def by_region(start=None, end=None, limit: int = 15) -> list[dict[str, Any]]:
    """:func:`portal.complaints.public_stats.by_region` (all OPDs) from the rows."""
    from portal.complaints.public_stats import fold_regions

    t = ComplaintBreakdown.__table__
    q = (sa.select(t.c.region, sa.func.sum(t.c.n), sa.func.sum(t.c.n_done))
         .where(*_day_where(t, start, end)).group_by(t.c.region))
    return fold_regions(((r, int(n or 0), int(d or 0)) for r, n, d in db.session.execute(q) if n), limit)


def by_reporter(start=None, end=None) -> dict[str, Any]:
    """:func:`portal.complaints.public_stats.by_reporter` (all OPDs) from the rows."""
    from portal.complaints.public_stats import reporter_result

    t = ComplaintBreakdown.__table__
    q = (sa.select(t.c.gender, t.c.disability, sa.func.sum(t.c.n))
         .where(*_day_where(t, start, end)).group_by(t.c.gender, t.c.disability))
    return reporter_result((g, bool(d), int(n or 0)) for g, d, n in db.session.execute(q))


def _month_add(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, 1)


def _live_hist(start: dt.date | None, end: dt.date | None):
    """Histogram rows (opd_id, kind, bucket, n) counted from the complaints of [start, end]."""
    from portal.core.timeutil import date_start_utc

    conds, params = [], {}
    if start:
        conds.append("c.submitted_at >= :a")
        params["a"] = date_start_utc(start)
    if end:
        conds.append("c.submitted_at < :b")
        params["b"] = date_start_utc(end + dt.timedelta(days=1))
    source = "FROM complaint c" + (" WHERE " + " AND ".join(conds) if conds else "")
    pg = db.session.get_bind().dialect.name == "postgresql"
    from portal.complaints.models import Complaint

    stmt = sa.text(_du_select(pg, source, 1)).bindparams(
        *(sa.bindparam(k, type_=Complaint.__table__.c.submitted_at.type) for k in params))
    return [(o, k, b, n) for _m, o, k, b, n in db.session.execute(stmt, params)]


def _month_end(month: dt.date) -> dt.date:
    return _month_add(month, 1) - dt.timedelta(days=1)


def _edge(month: dt.date, first: dt.date, last: dt.date) -> tuple[bool, list[tuple[dt.date, dt.date]]]:
    """How to count the days ``first``…``last`` of ``month`` (a month the period covers only partly).

    Histograms add up, so the covered days are either counted from the complaints (``(False, [(first,
    last)])``) or taken as the month's rows minus the uncovered days counted from the complaints
    (``(True, uncovered pieces)``), whichever reads fewer days of complaints. A period ending today
    (the dashboard's default) thus reads the current month from the rows, and the days after today
    (none submitted yet) cost an empty index range."""
    from portal.core.timeutil import today_wib

    today = today_wib()

    def cost(a: dt.date, b: dt.date) -> int:  # days that can hold complaints (none is submitted after today)
        return max(0, (min(b, today) - a).days + 1)

    before, after = (month, first - dt.timedelta(days=1)), (last + dt.timedelta(days=1), _month_end(month))
    pieces = [(a, b) for a, b in (before, after) if a <= b]
    if sum(cost(a, b) for a, b in pieces) < cost(first, last):
        return True, pieces
    return False, [(first, last)]


def histograms(start: dt.date | None, end: dt.date | None) -> dict[tuple[int, str], dict[int, int]]:
    """``{(opd_id, kind): {bucket: n}}`` for complaints submitted in [start, end] (WIB days).

    Whole months come from the rows; a month the period covers only partly is corrected from the
    complaints on the cheaper side (:func:`_edge`)."""
    t = ComplaintDuration.__table__
    plus: list = []
    minus: list = []
    lo = None if start is None else dt.date(start.year, start.month, 1)  # the first month read from the rows
    hi = None if end is None else _month_add(end, 1)  # the first month not read from the rows
    for month in sorted({dt.date(d.year, d.month, 1) for d in (start, end) if d is not None}):
        first = month if start is None else max(start, month)
        last = _month_end(month) if end is None else min(end, _month_end(month))
        if (first, last) == (month, _month_end(month)):
            continue  # wholly in the period
        from_rows, pieces = _edge(month, first, last)
        for a, b in pieces:
            (minus if from_rows else plus).extend(_live_hist(a, b))
        if not from_rows:  # this month is not read from the rows
            if month == lo:
                lo = _month_add(month, 1)
            if hi is not None and _month_add(month, 1) == hi:
                hi = month
    if lo is None or hi is None or lo < hi:
        conds = [*(() if lo is None else (t.c.month >= lo,)), *(() if hi is None else (t.c.month < hi,))]
        q = (sa.select(t.c.opd_id, t.c.kind, t.c.bucket, sa.func.sum(t.c.n)).where(*conds)
             .group_by(t.c.opd_id, t.c.kind, t.c.bucket))
        plus.extend(db.session.execute(q))
    hist: dict[tuple[int, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for rows, sign in ((plus, 1), (minus, -1)):
        for opd_id, kind, b, n in rows:
            if n:
                hist[(int(opd_id), kind)][int(b)] += sign * int(n)
    if minus:  # what the subtraction emptied is not there at all (as if counted live)
        drift = False
        for key in list(hist):
            drift = drift or any(n < 0 for n in hist[key].values())
            buckets = {b: n for b, n in hist[key].items() if n > 0}
            if buckets:
                hist[key] = defaultdict(int, buckets)
            else:
                del hist[key]
        if drift:  # the rows count fewer than the complaints: they drifted (`stats check`, `stats rebuild`)
            current_app.logger.warning("complaint_duration rows below the live count: run `stats check`")
    return hist


def median_of(hist: dict[int, int]) -> float | None:
    """The median (days, one decimal) of a bucket histogram; ``None`` when empty."""
    total = sum(v for v in hist.values() if v > 0)
    if not total:
        return None
    lo, hi = (total - 1) // 2, total // 2
    seen, found = 0, {}
    for b in sorted(hist):
        n = hist[b]
        if n <= 0:
            continue
        for pos in (lo, hi):
            if pos not in found and seen <= pos < seen + n:
                found[pos] = b
        seen += n
        if hi in found:
            break
    return round((found[lo] + found[hi]) / 20, 1)


def medians_per_opd(start=None, end=None) -> dict[int | None, dict[str, float | None]]:
    """Median RTL and RV days per OPD id (``None`` = all complaints), from the histograms."""
    hist = histograms(start, end)
    every: dict[str, dict[int, int]] = {"f": defaultdict(int), "v": defaultdict(int)}
    opds = set()
    for (opd_id, kind), h in hist.items():
        for b, n in h.items():
            every[kind][b] += n
        if opd_id:
            opds.add(opd_id)
    out: dict[int | None, dict[str, float | None]] = {
        o: {"rtl_median": median_of(hist.get((o, "f"), {})), "rv_median": median_of(hist.get((o, "v"), {}))}
        for o in opds}
    out[None] = {"rtl_median": median_of(every["f"]), "rv_median": median_of(every["v"])}
    return out

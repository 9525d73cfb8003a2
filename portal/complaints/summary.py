"""Summary rows of the complaints (WIB day × OPD × status × channel × category), kept by the database.

The dashboard, the stats API and the per-OPD table used to aggregate every complaint of the period on
each cache miss (3.5–5.7 s cold at 1M). They now sum these rows instead: a year is at most
365 × OPDs × statuses × channels × categories rows, usually a few thousand.

The rows are maintained by TRIGGERS on ``complaint`` (SQLite: row triggers; PostgreSQL: statement
triggers with transition tables, one aggregated upsert per statement), so every write is counted —
ORM flushes, the importer's COPY / executemany, bulk UPDATEs, raw SQL — in the same transaction,
without touching the code that writes. ``flask --app portal stats rebuild`` recomputes them from the
complaints (after a restore, or to check: ``stats check``).

Measures per row: ``n``; the sums and counts behind RTL (submission → first follow-up, days), RV
(submission → verification, days) and RHP (rating). Sentinels instead of NULL in the key
(``opd_id``/``category_id`` 0, ``channel`` '') keep the unique key usable on both databases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from portal.core.i18n import indonesian
from portal.extensions import db

KEY = ("day", "opd_id", "status", "channel", "category_id")
MEASURES = ("n", "n_rtl", "sum_rtl", "n_rv", "sum_rv", "n_rhp", "sum_rhp")


class ComplaintSummary(db.Model):
    __tablename__ = "complaint_summary"
    __table_args__ = (
        sa.UniqueConstraint(*KEY, name="uq_complaint_summary_key"),
        sa.Index("ix_complaint_summary_opd_day", "opd_id", "day"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    day: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    opd_id: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(40), nullable=False)
    channel: orm.Mapped[str] = orm.mapped_column(sa.String(40), nullable=False)
    category_id: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    n: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    n_rtl: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    sum_rtl: orm.Mapped[float] = orm.mapped_column(sa.Float, nullable=False, default=0.0)
    n_rv: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    sum_rv: orm.Mapped[float] = orm.mapped_column(sa.Float, nullable=False, default=0.0)
    n_rhp: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    sum_rhp: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)


def _hidden_sql(r: str) -> str:
    """SQL of ``public_stats._hidden`` on row alias ``r`` (``r.`` may be empty): confidential or not
    yet published. Such complaints are summed under the unknown channel and category, so public
    breakdowns never place them (docs/PRIVACY.md)."""
    return (f"({r}is_confidential OR {r}status IN ('belum_terverifikasi') OR "
            f"({r}status IN ('tunda', 'arsip') AND {r}verified_at IS NULL AND {r}dispatched_at IS NULL))")


# --- the SQL of one complaint row's contribution, per dialect -----------------------------------

def _sqlite_exprs(r: str) -> list[str]:
    """One complaint row's key and measures (SQLite expressions on the row alias ``r``)."""
    def days(b: str) -> str:
        return f"COALESCE(julianday({r}.{b}) - julianday({r}.submitted_at), 0)"

    return [
        f"date({r}.submitted_at, '+7 hours')", f"COALESCE({r}.opd_id, 0)", f"{r}.status",
        f"CASE WHEN {_hidden_sql(r + '.')} THEN '' ELSE COALESCE({r}.channel, '') END",
        f"CASE WHEN {_hidden_sql(r + '.')} THEN 0 ELSE COALESCE({r}.category_id, 0) END", "1",
        f"({r}.first_followup_at IS NOT NULL)", days("first_followup_at"),
        f"({r}.verified_at IS NOT NULL)", days("verified_at"),
        f"({r}.rating IS NOT NULL)", f"COALESCE({r}.rating, 0)",
    ]


#: the complaint columns a SQLite update trigger listens to: the key, the measures and what decides
#: whether a complaint is hidden (is_confidential, dispatched_at)
SQLITE_UPDATE_COLUMNS = ("submitted_at, opd_id, status, channel, category_id, first_followup_at, verified_at, "
                         "rating, is_confidential, dispatched_at")


def _sqlite_ddl() -> list[str]:
    cols = ", ".join((*KEY, *MEASURES))
    key = ", ".join(KEY)

    def add(r: str) -> str:
        return (f"INSERT INTO complaint_summary ({cols}) VALUES ({', '.join(_sqlite_exprs(r))}) "
                f"ON CONFLICT ({key}) DO UPDATE SET " + ", ".join(f"{m} = {m} + excluded.{m}" for m in MEASURES) + ";")

    def remove(r: str) -> str:  # the row exists: the complaint was counted when it was written
        exprs = _sqlite_exprs(r)
        sets = ", ".join(f"{m} = {m} - {e}" for m, e in zip(MEASURES, exprs[len(KEY):], strict=True))
        where = " AND ".join(f"{k} = {e}" for k, e in zip(KEY, exprs[:len(KEY)], strict=True))
        return f"UPDATE complaint_summary SET {sets} WHERE {where};"

    return [
        "DROP TRIGGER IF EXISTS complaint_summary_ins",
        "DROP TRIGGER IF EXISTS complaint_summary_del",
        "DROP TRIGGER IF EXISTS complaint_summary_upd",
        f"CREATE TRIGGER complaint_summary_ins AFTER INSERT ON complaint BEGIN {add('NEW')} END",
        f"CREATE TRIGGER complaint_summary_del AFTER DELETE ON complaint BEGIN {remove('OLD')} END",
        f"CREATE TRIGGER complaint_summary_upd AFTER UPDATE OF {SQLITE_UPDATE_COLUMNS} ON complaint "
        f"BEGIN {remove('OLD')} {add('NEW')} END",
    ]


def _pg_select(table: str, sign: int) -> str:
    days = "EXTRACT(EPOCH FROM ({b} - submitted_at)) / 86400.0"
    return (
        "SELECT (submitted_at + interval '7 hours')::date, COALESCE(opd_id, 0), status::text, "
        f"CASE WHEN {_hidden_sql('')} THEN '' ELSE COALESCE(channel::text, '') END, "
        f"CASE WHEN {_hidden_sql('')} THEN 0 ELSE COALESCE(category_id, 0) END, "
        f"{sign} * count(*), {sign} * count(first_followup_at), "
        f"{sign} * COALESCE(sum({days.format(b='first_followup_at')}), 0), "
        f"{sign} * count(verified_at), {sign} * COALESCE(sum({days.format(b='verified_at')}), 0), "
        f"{sign} * count(rating), {sign} * COALESCE(sum(rating), 0) "
        f"FROM {table} GROUP BY 1, 2, 3, 4, 5"
    )


def _pg_ddl() -> list[str]:
    cols = ", ".join((*KEY, *MEASURES))
    key = ", ".join(KEY)
    upsert = (f"INSERT INTO complaint_summary ({cols}) {{select}} ON CONFLICT ({key}) DO UPDATE SET "
              + ", ".join(f"{m} = complaint_summary.{m} + excluded.{m}" for m in MEASURES) + ";")
    func = """
CREATE OR REPLACE FUNCTION complaint_summary_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {minus}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {plus}
  END IF;
  RETURN NULL;
END $$""".format(minus=upsert.format(select=_pg_select("old_rows", -1)),
                 plus=upsert.format(select=_pg_select("new_rows", 1)))
    return [
        func,
        "DROP TRIGGER IF EXISTS complaint_summary_ins ON complaint",
        "DROP TRIGGER IF EXISTS complaint_summary_del ON complaint",
        "DROP TRIGGER IF EXISTS complaint_summary_upd ON complaint",
        "CREATE TRIGGER complaint_summary_ins AFTER INSERT ON complaint REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION complaint_summary_apply()",
        "CREATE TRIGGER complaint_summary_del AFTER DELETE ON complaint REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION complaint_summary_apply()",
        "CREATE TRIGGER complaint_summary_upd AFTER UPDATE ON complaint REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_summary_apply()",
    ]


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that (re)create the triggers (also used by the migrations)."""
    from portal.complaints import summary_more

    if dialect == "postgresql":
        return _pg_ddl() + summary_more.pg_ddl()
    return _sqlite_ddl() + summary_more.sqlite_ddl()


#: free space left in each page of the summary tables (PostgreSQL): an update of a row then fits in its
#: own page as a HOT update, whose dead version the next visitor of the page prunes (no bloat between
#: vacuums under steady writes; migration 0013b)
FILLFACTOR = 70


def storage_ddl() -> list[str]:
    return [f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})" for table in SUMMARY_TABLES]


def install_triggers(conn) -> None:
    for stmt in trigger_ddl(conn.dialect.name):
        conn.exec_driver_sql(stmt)
    if conn.dialect.name == "postgresql":
        for stmt in storage_ddl():
            conn.exec_driver_sql(stmt)


@sa.event.listens_for(db.Model.metadata, "after_create")
def _after_create(_metadata, connection, **_kw) -> None:  # db.create_all(): the tests and bench seeding
    install_triggers(connection)


def rebuild(session=None) -> int:
    """Recompute every summary row from the complaints (same transaction); the number of rows."""
    session = session or db.session
    conn = session.connection()
    conn.execute(sa.delete(ComplaintSummary.__table__))
    cols = ", ".join((*KEY, *MEASURES))
    if conn.dialect.name == "postgresql":
        select = _pg_select("complaint", 1)
    else:
        exprs = _sqlite_exprs("c")
        select = (f"SELECT {', '.join(exprs[:len(KEY)])}, "
                  + ", ".join(f"sum({e})" for e in exprs[len(KEY):]) + " FROM complaint c GROUP BY 1, 2, 3, 4, 5")
    conn.exec_driver_sql(f"INSERT INTO complaint_summary ({cols}) {select}")
    from portal.complaints import summary_more

    summary_more.rebuild(conn)
    return int(conn.scalar(sa.select(sa.func.count()).select_from(ComplaintSummary.__table__)) or 0)


def live_rows(session=None) -> dict[tuple, tuple]:
    """The summary as computed from the complaints now (the consistency check), zero rows left out."""
    rows = _rows_of(session, rebuild_into=True)
    return rows


def stored_rows(session=None) -> dict[tuple, tuple]:
    return _rows_of(session, rebuild_into=False)


def _rows_of(session, rebuild_into: bool) -> dict[tuple, tuple]:
    session = session or db.session
    if rebuild_into:
        nested = session.begin_nested()
        rebuild(session)
    t = ComplaintSummary.__table__
    out = {}
    for row in session.execute(sa.select(*(t.c[k] for k in KEY), *(t.c[m] for m in MEASURES))):
        m = row[len(KEY):]
        if m[0] == 0 and not any(m[1:]):
            continue
        out[tuple(row[:len(KEY)])] = (int(m[0]), int(m[1]), round(float(m[2]), 6), int(m[3]),
                                      round(float(m[4]), 6), int(m[5]), int(m[6]))
    if rebuild_into:
        nested.rollback()
    return out


# --- readers ------------------------------------------------------------------------------------

def _where(start: dt.date | None, end: dt.date | None, opd_ids=None) -> list:
    t = ComplaintSummary.__table__
    conds = []
    if start:
        conds.append(t.c.day >= start)
    if end:
        conds.append(t.c.day <= end)
    if opd_ids is not None:
        conds.append(t.c.opd_id.in_(list(opd_ids)))
    return conds


def _sums(t) -> list:
    from portal.complaints.models import Status

    return [*(sa.func.sum(sa.case((t.c.status == s.value, t.c.n), else_=0)).label(s.value) for s in Status),
            (sa.func.sum(t.c.sum_rtl) / sa.func.nullif(sa.func.sum(t.c.n_rtl), 0)).label("rtl"),
            sa.func.sum(t.c.n_rtl).label("n_rtl"),
            (sa.func.sum(t.c.sum_rv) / sa.func.nullif(sa.func.sum(t.c.n_rv), 0)).label("rv"),
            sa.func.sum(t.c.n_rv).label("n_rv"),
            (sa.cast(sa.func.sum(t.c.sum_rhp), sa.Float) / sa.func.nullif(sa.func.sum(t.c.n_rhp), 0)).label("rhp"),
            sa.func.sum(t.c.n_rhp).label("n_rhp")]


def recap(start=None, end=None, opd_ids=None) -> dict[str, Any]:
    """:func:`portal.complaints.stats.recap` from the summary rows."""
    from portal.complaints.stats import finish_recap

    t = ComplaintSummary.__table__
    return finish_recap(db.session.execute(sa.select(*_sums(t)).where(*_where(start, end, opd_ids))).one())


def recap_per_opd(start=None, end=None, include_inactive: bool = False) -> list[dict[str, Any]]:
    """:func:`portal.complaints.stats.recap_per_opd` from the summary rows."""
    from portal.complaints.stats import finish_recap
    from portal.people.models import OPD

    t = ComplaintSummary.__table__
    q = sa.select(t.c.opd_id, *_sums(t)).where(*_where(start, end), t.c.opd_id != 0).group_by(t.c.opd_id)
    rows = {r.opd_id: r for r in db.session.execute(q)}
    empty = db.session.execute(sa.select(*_sums(t)).where(sa.false())).one()
    opd_q = sa.select(OPD).options(orm.joinedload(OPD.parent)).order_by(OPD.name)
    if not include_inactive:
        opd_q = opd_q.where(OPD.active.is_(True))
    return [{"code": o.code, "name": o.name, "parent": o.parent.code if o.parent else None,
             **finish_recap(rows.get(o.id, empty))} for o in db.session.scalars(opd_q)]


def _done(t):
    return sa.func.sum(sa.case((t.c.status.in_(["proses", "selesai"]), t.c.n), else_=0))


def by_channel(start=None, end=None, opd_ids=None) -> list[dict[str, Any]]:
    from portal.complaints.models import Channel

    t = ComplaintSummary.__table__
    q = sa.select(t.c.channel, sa.func.sum(t.c.n), _done(t)).where(*_where(start, end, opd_ids)).group_by(t.c.channel)
    found = {ch: (int(n or 0), int(d or 0)) for ch, n, d in db.session.execute(q)}
    rows = [{"key": ch.value, "label": indonesian(ch.label), "count": found.get(ch.value, (0, 0))[0],
             "ditindaklanjuti": found.get(ch.value, (0, 0))[1]} for ch in Channel]
    if found.get("", (0, 0))[0]:  # hidden complaints (and any without a channel): never placed
        rows.append({"key": "", "label": "Tidak dirinci", "count": found[""][0], "ditindaklanjuti": found[""][1]})
    return rows


def by_category(start=None, end=None, opd_ids=None, limit: int = 15) -> list[dict[str, Any]]:
    from portal.complaints.models import Category
    from portal.complaints.public_stats import _top

    t = ComplaintSummary.__table__
    q = (sa.select(Category.path, sa.func.sum(t.c.n), _done(t)).select_from(t)
         .outerjoin(Category, Category.id == t.c.category_id)
         .where(*_where(start, end, opd_ids)).group_by(Category.path))
    rows: list[dict[str, Any]] = [{"key": path or "", "label": path or "Belum dikategorikan", "count": int(n or 0),
             "ditindaklanjuti": int(d or 0)} for path, n, d in db.session.execute(q) if n]
    rows.sort(key=lambda r: (-r["count"], r["label"]))
    return _top(rows, limit)


def monthly(start: dt.date, end: dt.date, opd_ids=None) -> list[dict[str, Any]]:
    t = ComplaintSummary.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        month = sa.func.to_char(t.c.day, "YYYY-MM")
    else:
        month = sa.func.strftime("%Y-%m", t.c.day)
    q = (sa.select(month, sa.func.sum(t.c.n), _done(t),
                   sa.func.sum(sa.case((t.c.status == "selesai", t.c.n), else_=0)))
         .where(*_where(start, end, opd_ids)).group_by(month))
    found = {m: (int(n or 0), int(d or 0), int(s or 0)) for m, n, d, s in db.session.execute(q)}
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        key = f"{y:04d}-{m:02d}"
        n, d, s = found.get(key, (0, 0, 0))
        out.append({"key": key, "count": n, "ditindaklanjuti": d, "selesai": s})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# --- compaction (PostgreSQL) ---------------------------------------------------------------------

#: the trigger-kept tables: every write UPDATEs rows here, so a bulk load leaves dead versions behind
SUMMARY_TABLES = ("complaint_summary", "complaint_breakdown", "complaint_duration")
#: a table is compacted when it takes more than this many times the bytes its live rows need …
BLOAT_FACTOR = 3
#: … and at least this many bytes (small tables are read in no time anyway)
BLOAT_MIN_BYTES = 8 * 1024 * 1024
#: bytes a live row needs on disk, header and index pointer included (measured: 51–100 when compact)
ROW_BYTES = 128


def compact(engine=None, force: bool = False, lock_timeout: str = "1s") -> list[tuple[str, int, int]]:
    """``VACUUM (FULL, ANALYZE)`` the summary tables that are bloated (all of them with ``force``).

    Each write of a complaint updates summary rows; a bulk load or import in one transaction leaves
    one dead version per update, which plain (auto)vacuum frees for reuse but never gives back: after
    seeding 1M complaints the region table took 139 MB for 31k live rows (2 MB compact), and every
    dashboard scan read all of it (cold dashboard 340 ms → 227 ms once compact; docs/BENCHMARKS.md).
    The rewrite holds an exclusive lock for well under a second per table at that size; it waits at
    most ``lock_timeout`` for it (a table it cannot lock is left for the next run) — while it waits,
    readers and writers of that table queue behind it, so the wait is short and the daily job runs it
    last, in the quiet early morning. A table whose live-row count PostgreSQL does not know yet (0 right
    after a rebuild, before the statistics arrive) is compacted only with ``force``. Run by the daily
    job and ``flask --app portal stats compact``; nothing to do on SQLite (updates in place).
    Returns ``(table, bytes before, bytes after)`` of the tables it rewrote.
    """
    engine = engine or db.engine
    if engine.dialect.name != "postgresql":
        return []
    done = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SELECT set_config('lock_timeout', :v, false)"), {"v": lock_timeout})
        try:
            for table in SUMMARY_TABLES:
                size, live = conn.execute(sa.text(
                    "SELECT pg_total_relation_size(c.oid), greatest(s.n_live_tup, c.reltuples::bigint, 0) "
                    "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                    "WHERE c.oid = to_regclass(:t)"), {"t": table}).one_or_none() or (0, 0)
                bloated = live > 0 and size > BLOAT_MIN_BYTES and size > BLOAT_FACTOR * live * ROW_BYTES
                if not size or not (force or bloated):
                    continue
                try:
                    conn.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {table}")  # a constant of SUMMARY_TABLES
                except sa.exc.OperationalError:  # the lock was not granted in time: next run
                    continue
                after = conn.scalar(sa.text("SELECT pg_total_relation_size(to_regclass(:t))"), {"t": table})
                done.append((table, int(size), int(after or 0)))
        finally:  # the connection goes back to the pool: nothing else may inherit the short lock timeout
            conn.exec_driver_sql("RESET lock_timeout")
    return done


def describe_compacted(done: list[tuple[str, int, int]]) -> str:
    return ", ".join(f"{t} {b / 2**20:.1f} → {a / 2**20:.1f} MB" for t, b, a in done) or "nothing to compact"


# --- CLI: flask --app portal stats rebuild | check | compact ------------------------------------

def _cli():
    import click
    from flask.cli import AppGroup

    group = AppGroup("stats", help="The summary rows behind the dashboard and the stats API.")

    @group.command("rebuild")
    def rebuild_cmd() -> None:
        """Recompute every summary row from the complaints (one transaction)."""
        from portal.core import cache

        n = rebuild()
        db.session.commit()
        cache.bump_generation()
        db.session.close()
        click.echo(f"summary rebuilt: {n} rows; compacted: {describe_compacted(compact())}")

    @group.command("compact")
    @click.option("--force", is_flag=True, help="Rewrite every summary table, bloated or not.")
    def compact_cmd(force: bool) -> None:
        """Give the space of dead summary rows back (PostgreSQL, after bulk loads; the daily job does it too)."""
        db.session.close()  # no transaction of ours may hold a lock the rewrite waits for
        click.echo(f"compacted: {describe_compacted(compact(force=force))}")

    @group.command("check")
    def check_cmd() -> None:
        """Compare the stored rows (all three tables) with a live count; non-zero exit when they differ."""
        from portal.complaints import summary_more

        stored, live = stored_rows(), live_rows()
        more, more_live = summary_more.rows(), summary_more.live_rows()
        for table in more:
            stored.update({(table, *k): v for k, v in more[table].items()})
            live.update({(table, *k): v for k, v in more_live[table].items()})
        if stored == live:
            click.echo(f"summary consistent: {len(stored)} rows")
            return
        differ = sorted(set(stored) ^ set(live) | {k for k in stored.keys() & live.keys() if stored[k] != live[k]},
                        key=str)
        click.echo(f"summary differs in {len(differ)} rows (run `stats rebuild`); first: {differ[:3]}")
        raise SystemExit(1)

    return group


stats_cli = _cli()


# --- the dashboard in one pass ------------------------------------------------------------------

class _Row:
    """An aggregate row for :func:`portal.complaints.stats.finish_recap` built in Python."""

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping


def _finish(acc: list[float]) -> dict[str, Any]:
    from portal.complaints.models import Status
    from portal.complaints.stats import finish_recap

    statuses = [s.value for s in Status]
    n_rtl, sum_rtl, n_rv, sum_rv, n_rhp, sum_rhp = acc[len(statuses):]
    return finish_recap(_Row({**dict(zip(statuses, acc[:len(statuses)], strict=True)),
                              "rtl": sum_rtl / n_rtl if n_rtl else None, "n_rtl": n_rtl,
                              "rv": sum_rv / n_rv if n_rv else None, "n_rv": n_rv,
                              "rhp": sum_rhp / n_rhp if n_rhp else None, "n_rhp": n_rhp}))


def dashboard_parts(start=None, end=None, limit: int = 15) -> dict[str, Any]:
    """``recap``, ``per_opd`` (:func:`recap_per_opd`), ``category`` and ``channel`` of a period from ONE
    pass over the summary rows (grouped by OPD × status × channel × category: about a thousand rows a
    year), instead of a scan per figure. Equal to the separate readers (a test)."""
    from portal.complaints.models import Category, Channel, Status
    from portal.complaints.public_stats import _top
    from portal.people.models import OPD

    t = ComplaintSummary.__table__
    statuses = [s.value for s in Status]
    q = (sa.select(t.c.opd_id, t.c.status, t.c.channel, t.c.category_id, sa.func.sum(t.c.n),
                   sa.func.sum(t.c.n_rtl), sa.func.sum(t.c.sum_rtl), sa.func.sum(t.c.n_rv), sa.func.sum(t.c.sum_rv),
                   sa.func.sum(t.c.n_rhp), sa.func.sum(t.c.sum_rhp))
         .where(*_where(start, end)).group_by(t.c.opd_id, t.c.status, t.c.channel, t.c.category_id))
    width = len(statuses) + 6
    total: list[float] = [0] * width
    per_opd: dict[int, list] = {}
    channels: dict[str, list[int]] = {}
    cats: dict[int, list[int]] = {}
    for opd_id, status, channel, category_id, n, *m in db.session.execute(q):
        n = int(n or 0)
        vec: list[float] = [0] * width
        if status in statuses:
            vec[statuses.index(status)] = n
        vec[len(statuses):] = [int(m[0] or 0), float(m[1] or 0), int(m[2] or 0), float(m[3] or 0),
                               int(m[4] or 0), int(m[5] or 0)]
        done = n if status in ("proses", "selesai") else 0
        for acc in (total, per_opd.setdefault(opd_id, [0] * width)):
            for i, v in enumerate(vec):
                acc[i] += v
        for found, key in ((channels, channel), (cats, category_id)):
            c = found.setdefault(key, [0, 0])
            c[0] += n
            c[1] += done
    opd_q = sa.select(OPD).options(orm.joinedload(OPD.parent)).where(OPD.active.is_(True)).order_by(OPD.name)
    empty = [0] * width
    per_opd_rows = [{"code": o.code, "name": o.name, "parent": o.parent.code if o.parent else None,
                     **_finish(per_opd.get(o.id, empty))} for o in db.session.scalars(opd_q)]
    channel_rows = [{"key": ch.value, "label": indonesian(ch.label), "count": channels.get(ch.value, [0, 0])[0],
                     "ditindaklanjuti": channels.get(ch.value, [0, 0])[1]} for ch in Channel]
    if channels.get("", [0, 0])[0]:
        channel_rows.append({"key": "", "label": "Tidak dirinci", "count": channels[""][0],
                             "ditindaklanjuti": channels[""][1]})
    paths = dict(db.session.execute(sa.select(Category.id, Category.path)).tuples().all())
    by_path: dict[str | None, list[int]] = {}
    for cid, (n, d) in cats.items():
        c = by_path.setdefault(paths.get(cid), [0, 0])
        c[0] += n
        c[1] += d
    cat_rows: list[dict[str, Any]] = [
        {"key": path or "", "label": path or "Belum dikategorikan", "count": n, "ditindaklanjuti": d}
        for path, (n, d) in by_path.items() if n]
    cat_rows.sort(key=lambda r: (-r["count"], r["label"]))
    return {"recap": _finish(total), "per_opd": per_opd_rows, "channel": channel_rows,
            "category": _top(cat_rows, limit)}

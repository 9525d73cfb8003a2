"""Queue queries of the Kominfo workspace: tabs, filters, counts and keyset pagination.

Every filter comes from the URL (``QueueFilter.from_args``) and goes back into it
(``QueueFilter.args``), so a queue view is shareable and the back button works.
Pagination is keyset on ``(submitted_at, id)`` — stable under inserts and cheap at any depth.

Speed at 1,000,000 complaints on PostgreSQL (bench/queue_bench.py, migration 0003):

- every tab and filter walks the partial covering index ``ix_complaint_queue`` (open complaints in
  ``(submitted_at, id)`` order, every filtered column INCLUDEd): the page's keys are found by an
  index-only scan (``_keys``), only the page's rows are then read ("deferred join"), so a filter
  that rejects many rows costs index tuples, never heap fetches;
- the Dikembalikan tab reads the small ``ix_complaint_returned``;
- free text: a common word is found among the tab's first ``TEXT_PREFIX`` rows (in queue order); a
  rarer one gathers its matches through the pg_trgm GIN ``ix_complaint_text_trgm`` first, in a
  MATERIALIZED CTE, then orders them (SQLite scans with LIKE);
- statuses are rendered as SQL literals, so a prepared (generic) plan still matches the partial
  indexes' ``status IN (…)`` predicate;
- the tab counts are one grouped index-only scan (``counts``), cached per data generation and
  loaded by the page after its rows (portal/admin/workspace/routes.py).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from portal.complaints.models import Category, Channel, Complaint, ComplaintType, Status, inherited_norm
from portal.core.db import UTCDateTime
from portal.core.timeutil import date_start_utc, today_wib
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.people.models import OPD

S = Status
PAGE_SIZE = 20
AT_RISK_DAYS = 2


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any


TABS: tuple[Tab, ...] = (
    Tab("belum_terverifikasi", _l("Belum Terverifikasi")),
    Tab("belum_ditindaklanjuti", _l("Belum Ditindaklanjuti")),
    Tab("proses", _l("Proses")),
    Tab("tunda", _l("Tunda")),
    Tab("dikembalikan", _l("Dikembalikan")),
    Tab("rawan", _l("Rawan")),
    Tab("terlambat", _l("Terlambat")),
    Tab("selesai", _l("Selesai")),
    Tab("arsip", _l("Arsip")),
    #: every status: a search reaches closed complaints too
    Tab("semua", _l("Semua status")),
)
#: tabs showing closed complaints (no running deadline; outside the open-queue indexes)
CLOSED_TABS = ("selesai", "arsip", "semua")
TAB_KEYS = tuple(t.key for t in TABS)
SORTS = {"baru": _l("Terbaru"), "lama": _l("Terlama"), "tenggat": _l("Tenggat terdekat")}


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class QueueFilter:
    """One queue view, as the URL holds it."""

    tab: str = "belum_terverifikasi"
    opd: str | None = None  #: OPD code (its units included)
    kategori: int | None = None  #: category id (its subtree included)
    kanal: str | None = None
    jenis: str | None = None
    dari: dt.date | None = None  #: submitted from (WIB date, inclusive)
    sampai: dt.date | None = None  #: submitted up to (WIB date, inclusive)
    anonim: bool = False
    rahasia: bool = False
    q: str = ""
    urut: str = "baru"
    setelah: str | None = None  #: keyset cursor
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilter:
        tab = args.get("tab") or "belum_terverifikasi"
        kanal = args.get("kanal") or None
        jenis = args.get("jenis") or None
        return cls(
            tab=tab if tab in TAB_KEYS else "belum_terverifikasi",
            opd=(args.get("opd") or "").strip().upper() or None,
            kategori=_int(args.get("kategori")),
            kanal=kanal if kanal in {c.value for c in Channel} else None,
            jenis=jenis if jenis in {t.value for t in ComplaintType} else None,
            dari=_date(args.get("dari")),
            sampai=_date(args.get("sampai")),
            anonim=args.get("anonim") in ("1", "on", "y"),
            rahasia=args.get("rahasia") in ("1", "on", "y"),
            q=(args.get("q") or "").strip()[:100],
            urut=args.get("urut") if args.get("urut") in SORTS else "baru",
            setelah=args.get("setelah") or None,
        )

    def args(self, **override: Any) -> dict[str, Any]:
        """Query-string arguments (only the non-default ones), with ``override`` applied."""
        f = replace(self, **override) if override else self
        out: dict[str, str] = {}
        if f.tab != "belum_terverifikasi":
            out["tab"] = f.tab
        for name in ("opd", "kanal", "jenis", "q", "setelah"):
            value = getattr(f, name)
            if value:
                out[name] = str(value)
        if f.kategori:
            out["kategori"] = str(f.kategori)
        if f.dari:
            out["dari"] = f.dari.isoformat()
        if f.sampai:
            out["sampai"] = f.sampai.isoformat()
        if f.anonim:
            out["anonim"] = "1"
        if f.rahasia:
            out["rahasia"] = "1"
        if f.urut != "baru":
            out["urut"] = f.urut
        return out

    @property
    def is_filtered(self) -> bool:
        return bool(self.opd or self.kategori or self.kanal or self.jenis or self.dari or self.sampai
                    or self.anonim or self.rahasia or self.q)


# --- conditions ---------------------------------------------------------------------------------

def category_subtree(category_id: int) -> list[int]:
    """The category and every descendant (the tree is small: loaded at once)."""
    rows = db.session.execute(sa.select(Category.id, Category.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for cid, parent in rows:
        children.setdefault(parent, []).append(cid)
    out, stack = [], [category_id]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(children.get(node, []))
    return out


def opd_subtree(code: str) -> list[int]:
    opd = db.session.scalar(sa.select(OPD).where(OPD.code == code))
    return opd.subtree_ids() if opd else [-1]


def risk_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """``(today, cutoff)``: due dates in this range are at risk (within 2 working days)."""
    today = today or today_wib()
    return today, get_calendar().add_working_days(today, AT_RISK_DAYS)


def status_in(*statuses: Status) -> sa.ColumnElement[bool]:
    """``status = 'x'`` / ``status IN ('x', …)`` with the values inline (constants of the enum).

    Inline values keep the partial indexes usable under prepared statements (psycopg prepares a
    statement after a few runs; a generic plan with ``$1`` cannot prove ``status IN (…)``).
    """
    col = sa.type_coerce(Complaint.status, sa.String())
    values: list[Any] = [sa.literal_column(f"'{s.value}'") for s in statuses]
    return col == values[0] if len(values) == 1 else col.in_(values)


def tab_condition(tab: str, today: dt.date, cutoff: dt.date) -> sa.ColumnElement[bool]:
    c = Complaint
    match tab:
        case "belum_terverifikasi":
            return status_in(S.BELUM_TERVERIFIKASI)
        case "belum_ditindaklanjuti":
            return sa.and_(status_in(S.BELUM_DITINDAKLANJUTI), c.returned_at.is_(None))
        case "proses":
            return status_in(S.PROSES)
        case "tunda":
            return status_in(S.TUNDA)
        case "dikembalikan":
            return sa.and_(c.returned_at.is_not(None), status_in(*S.OPEN))
        case "rawan":
            return sa.and_(status_in(*S.ACTIVE), c.stage_due_date >= today, c.stage_due_date <= cutoff)
        case "terlambat":
            return sa.and_(status_in(*S.ACTIVE), c.stage_due_date < today)
        case "selesai":
            return status_in(S.SELESAI)
        case "arsip":
            return status_in(S.ARSIP)
        case "semua":
            return sa.true()
    raise ValueError(tab)


def filter_conditions(f: QueueFilter, with_text: bool = True) -> list[sa.ColumnElement[bool]]:
    """Conditions of every filter except the tab and the cursor (and free text unless ``with_text``)."""
    c = Complaint
    conds: list[sa.ColumnElement[bool]] = []
    if f.opd:
        ids = opd_subtree(f.opd)
        conds.append(c.opd_id == ids[0] if len(ids) == 1 else c.opd_id.in_(ids))
    if f.kategori:
        ids = category_subtree(f.kategori)
        conds.append(c.category_id == ids[0] if len(ids) == 1 else c.category_id.in_(ids))
    if f.kanal:
        conds.append(c.channel == Channel(f.kanal))
    if f.jenis:
        conds.append(c.type == ComplaintType(f.jenis))
    if f.dari:
        conds.append(c.submitted_at >= date_start_utc(f.dari))
    if f.sampai:
        conds.append(c.submitted_at < date_start_utc(f.sampai + dt.timedelta(days=1)))
    if f.anonim:
        conds.append(c.is_anonymous.is_(True))
    if f.rahasia:
        conds.append(c.is_confidential.is_(True))
    if f.q:
        if f.q.isdigit():
            conds.append(c.tracking_no == f.q)
        elif with_text:
            conds.append(text_condition(f.q))
    return conds


def text_condition(q: str, entity: Any = Complaint) -> sa.ColumnElement[bool]:
    """``q`` anywhere in the title, text or location (case-insensitive; trigram GIN on PostgreSQL)."""
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sa.or_(entity.title.ilike(like, escape="\\"), entity.text.ilike(like, escape="\\"),
                  entity.location.ilike(like, escape="\\"))


# --- cursor ------------------------------------------------------------------------------------

def encode_cursor(key: dt.datetime | dt.date, cid: int) -> str:
    """A keyset cursor: ``(submitted_at, id)``, or ``(stage_due_date, id)`` for the sort "tenggat"."""
    when = key.astimezone(dt.UTC).isoformat() if isinstance(key, dt.datetime) else key.isoformat()
    raw = f"{when}|{cid}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, by_due: bool = False) -> tuple[Any, int] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        when, cid = raw.split("|")
        if by_due:
            return dt.date.fromisoformat(when), int(cid)
        value = dt.datetime.fromisoformat(when)
        if value.tzinfo is None:
            return None
        return value, int(cid)
    except (ValueError, UnicodeDecodeError):
        return None


# --- queries -----------------------------------------------------------------------------------

@dataclass
class Page:
    rows: list[Complaint]
    next_cursor: str | None


def by_due(f: QueueFilter) -> bool:
    """The sort "tenggat terdekat" (not in Tunda, where no deadline runs: it falls back to oldest)."""
    return f.urut == "tenggat" and f.tab not in ("tunda", *CLOSED_TABS)


def _order(f: QueueFilter, submitted: Any, cid: Any, due: Any = None) -> list[Any]:
    if by_due(f):
        return [due.asc(), cid.asc()]
    if f.urut in ("lama", "tenggat"):
        return [submitted.asc(), cid.asc()]
    return [submitted.desc(), cid.desc()]


#: a free-text page first looks among this many rows of the tab (in queue order), then asks the
#: trigram index (a rare word)
TEXT_PREFIX = 2000


def page(f: QueueFilter, today: dt.date | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of a tab: rows with their OPD and category loaded (no N+1).

    Two steps in one statement: the page's ids by keyset (index-only on ``ix_complaint_queue``), then
    those rows joined with their OPD and category.
    """
    today, cutoff = risk_window(today)
    c = Complaint
    base = [tab_condition(f.tab, today, cutoff), *filter_conditions(f, with_text=False)]
    due = by_due(f)
    if due:
        # open complaints with a running deadline, in (stage_due_date, id) order: ix_complaint_queue_due
        base.append(c.stage_due_date.is_not(None))
    cursor = decode_cursor(f.setelah, by_due=due)
    if cursor and due:
        key = sa.tuple_(c.stage_due_date, c.id)
        base.append(key > sa.tuple_(sa.literal(cursor[0], sa.Date()), sa.literal(cursor[1], sa.Integer())))
    elif cursor:
        key = sa.tuple_(c.submitted_at, c.id)
        mark = sa.tuple_(sa.literal(cursor[0], UTCDateTime()), sa.literal(cursor[1], sa.Integer()))
        base.append(key > mark if f.urut in ("lama", "tenggat") else key < mark)
    if is_text_search(f):
        ids = _text_page_ids(f, base, size)
        if ids is None:
            ids = _rare_text_page_ids(f, base, size)
    else:
        ids = list(db.session.scalars(sa.select(c.id).where(*base)
                                      .order_by(*_order(f, c.submitted_at, c.id, c.stage_due_date))
                                      .limit(size + 1)))
    rows = []
    if ids:
        stmt = (sa.select(c).where(c.id.in_(ids))
                .options(orm.joinedload(c.opd), orm.joinedload(c.category))
                .order_by(*_order(f, c.submitted_at, c.id, c.stage_due_date)))
        rows = list(db.session.scalars(stmt).unique())
    nxt = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        nxt = encode_cursor(last.stage_due_date if due and last.stage_due_date else last.submitted_at, last.id)
    return Page(rows, nxt)


def is_text_search(f: QueueFilter) -> bool:
    """Free text (not a tracking number): ILIKE '%…%' on title, text and location."""
    return bool(f.q) and not f.q.isdigit()


def _text_page_ids(f: QueueFilter, base: list[sa.ColumnElement[bool]], size: int) -> list[int] | None:
    """A common word: the page's ids among the first ``TEXT_PREFIX`` rows of the tab, else ``None``.

    The candidates come index-only in queue order; only they are read to match the text, so a
    selective tab or filter (Terlambat, rahasia …) never reads the rows it rejects. Found fewer
    than a page: the word is rare, and the caller's query takes the trigram index.
    """
    c = Complaint
    cand = (sa.select(c.id, c.submitted_at, c.stage_due_date).where(*base)
            .order_by(*_order(f, c.submitted_at, c.id, c.stage_due_date))
            .limit(TEXT_PREFIX).subquery("cand"))
    hit = orm.aliased(Complaint, name="hit")
    stmt = (sa.select(cand.c.id).join(hit, hit.id == cand.c.id).where(text_condition(f.q, hit))
            .order_by(*_order(f, cand.c.submitted_at, cand.c.id, cand.c.stage_due_date)).limit(size + 1))
    ids = list(db.session.scalars(stmt))
    return ids if len(ids) > size else None


def _rare_text_page_ids(f: QueueFilter, base: list[sa.ColumnElement[bool]], size: int) -> list[int]:
    """A word that is rare in the tab: every match first (trigram GIN), then the page in queue order.

    The matches are gathered in a MATERIALIZED CTE, so PostgreSQL cannot plan the tempting but
    ruinous alternative — walking the tab in queue order and reading each row's text until a page
    is found (at 1M, 90k heap reads for a word with a few hundred matches on Terlambat).
    """
    c = Complaint
    open_only = [status_in(*S.OPEN)] if f.tab not in CLOSED_TABS else []
    found = (sa.select(c.id, c.submitted_at, c.stage_due_date).where(*open_only, *base, text_condition(f.q))
             .cte("text_match").prefix_with("MATERIALIZED", dialect="postgresql"))
    return list(db.session.scalars(
        sa.select(found.c.id).order_by(*_order(f, found.c.submitted_at, found.c.id, found.c.stage_due_date))
        .limit(size + 1)))


def counts(f: QueueFilter, today: dt.date | None = None) -> dict[str, int]:
    """Rows per tab under the current filters: one grouped query over every status (Selesai, Arsip and
    "Semua status" are counted from the same rows).

    One row per status with four counts (all, returned, overdue, at risk); the tabs are sums of
    them. Overdue and at risk are judged on the current stage's deadline. Unfiltered it is an
    index-only scan of ``ix_complaint_stage_due`` (status, stage_due_date INCLUDE returned_at); with
    filters it reads the matching rows of every status, closed ones included (the price of the Selesai,
    Arsip and "Semua status" tabs; counts are cached and loaded after the rows). (A free-text filter reads the matching
    rows, through the trigram index: the queue loads counts after its rows.)
    """
    today, cutoff = risk_window(today)
    c = Complaint
    count = sa.func.count
    status = sa.type_coerce(c.status, sa.String()).label("st")
    stmt = (sa.select(status, count(), count().filter(c.returned_at.is_not(None)),
                      count().filter(c.stage_due_date < today),
                      count().filter(sa.and_(c.stage_due_date >= today, c.stage_due_date <= cutoff)))
            .where(*filter_conditions(f)).group_by(status))
    out = dict.fromkeys(TAB_KEYS, 0)
    for value, total, returned, overdue, at_risk in db.session.execute(stmt):
        out["semua"] += total
        st = S(value)
        if st in S.CLOSED:  # their own tab, if any
            if st.value in out:
                out[st.value] = total
            continue
        key = st.value  # each open status has its tab
        out[key] += total - (returned if st == S.BELUM_DITINDAKLANJUTI else 0)
        out["dikembalikan"] += returned
        if st in S.ACTIVE:
            out["terlambat"] += overdue
            out["rawan"] += at_risk
    return out


def opd_choices() -> list[tuple[str, str]]:
    """Active OPDs as ``(code, name)``, units indented under their agency (rows, not ORM objects:
    every queue page renders this list)."""
    rows = db.session.execute(sa.select(OPD.id, OPD.code, OPD.name, OPD.parent_id)
                              .where(OPD.active.is_(True)).order_by(OPD.name)).all()
    ids = {r.id for r in rows}
    by_parent: dict[int | None, list[Any]] = {}
    for r in rows:
        by_parent.setdefault(r.parent_id if r.parent_id in ids else None, []).append(r)
    out: list[tuple[str, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in by_parent.get(parent, []):
            out.append((r.code, ("— " * depth) + r.name))
            walk(r.id, depth + 1)

    walk(None, 0)
    return out


def category_choices(leaves_only: bool = False) -> list[tuple[int, str, int]]:
    """Active categories as ``(id, path, effective norm)`` in path order (a norm is inherited from the
    nearest ancestor that sets one, :func:`~portal.complaints.models.inherited_norm`: the norm a
    verification applies)."""
    rows = db.session.execute(sa.select(Category.id, Category.parent_id, Category.path, Category.norm_days,
                                        Category.active).order_by(Category.path)).all()
    own = {r.id: r.norm_days for r in rows}
    parent = {r.id: r.parent_id for r in rows}
    parents = {r.parent_id for r in rows if r.parent_id is not None and r.active}
    return [(r.id, r.path, inherited_norm(r.id, own, parent)) for r in rows
            if r.active and not (leaves_only and r.id in parents)]

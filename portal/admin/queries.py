"""Queue queries of the Kominfo workspace: tabs, filters, counts and keyset pagination.

Every filter comes from the URL (``QueueFilter.from_args``) and goes back into it
(``QueueFilter.args``), so a queue view is shareable and the back button works.
Pagination is keyset on ``(submitted_at, id)`` — stable under inserts and cheap at any depth
on the ``ix_complaint_status_submitted`` / ``ix_complaint_opd_status`` indexes.
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

from portal.complaints.models import Category, Channel, Complaint, ComplaintType, Status
from portal.core.db import UTCDateTime
from portal.core.models import OPD
from portal.core.timeutil import date_start_utc, today_wib
from portal.core.workdays import get_calendar
from portal.extensions import db

S = Status
PAGE_SIZE = 20
#: statuses whose deadlines run (Tunda waits for the reporter)
ACTIVE = (S.BELUM_TERVERIFIKASI, S.BELUM_DITINDAKLANJUTI, S.PROSES)
#: statuses a queue tab can show
OPEN = (*ACTIVE, S.TUNDA)
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
)
TAB_KEYS = tuple(t.key for t in TABS)
SORTS = {"baru": _l("Terbaru"), "lama": _l("Terlama")}


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

    def args(self, **override: Any) -> dict[str, str]:
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


def tab_condition(tab: str, today: dt.date, cutoff: dt.date) -> sa.ColumnElement[bool]:
    c = Complaint
    match tab:
        case "belum_terverifikasi":
            return c.status == S.BELUM_TERVERIFIKASI
        case "belum_ditindaklanjuti":
            return sa.and_(c.status == S.BELUM_DITINDAKLANJUTI, c.returned_at.is_(None))
        case "proses":
            return c.status == S.PROSES
        case "tunda":
            return c.status == S.TUNDA
        case "dikembalikan":
            return sa.and_(c.status.in_(OPEN), c.returned_at.is_not(None))
        case "rawan":
            return sa.and_(c.status.in_(ACTIVE), c.due_date >= today, c.due_date <= cutoff)
        case "terlambat":
            return sa.and_(c.status.in_(ACTIVE), c.due_date < today)
    raise ValueError(tab)


def filter_conditions(f: QueueFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions of every filter except the tab and the cursor."""
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
        else:
            like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(sa.or_(c.title.ilike(like, escape="\\"), c.text.ilike(like, escape="\\"),
                                c.location.ilike(like, escape="\\")))
    return conds


# --- cursor ------------------------------------------------------------------------------------

def encode_cursor(submitted_at: dt.datetime, cid: int) -> str:
    raw = f"{submitted_at.astimezone(dt.UTC).isoformat()}|{cid}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple[dt.datetime, int] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        when, cid = raw.split("|")
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


def page(f: QueueFilter, today: dt.date | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of a tab: rows with their OPD and category loaded (no N+1)."""
    today, cutoff = risk_window(today)
    c = Complaint
    stmt = (sa.select(c).where(tab_condition(f.tab, today, cutoff), *filter_conditions(f))
            .options(orm.joinedload(c.opd), orm.joinedload(c.category)))
    cursor = decode_cursor(f.setelah)
    key = sa.tuple_(c.submitted_at, c.id)
    mark = sa.tuple_(sa.literal(cursor[0], UTCDateTime()), sa.literal(cursor[1], sa.Integer())) if cursor else None
    if f.urut == "lama":
        if cursor:
            stmt = stmt.where(key > mark)
        stmt = stmt.order_by(c.submitted_at.asc(), c.id.asc())
    else:
        if cursor:
            stmt = stmt.where(key < mark)
        stmt = stmt.order_by(c.submitted_at.desc(), c.id.desc())
    rows = list(db.session.scalars(stmt.limit(size + 1)).unique())
    nxt = None
    if len(rows) > size:
        rows = rows[:size]
        nxt = encode_cursor(rows[-1].submitted_at, rows[-1].id)
    return Page(rows, nxt)


def counts(f: QueueFilter, today: dt.date | None = None) -> dict[str, int]:
    """Rows per tab under the current filters, in one query over the open statuses."""
    today, cutoff = risk_window(today)
    cols = [sa.func.count().filter(tab_condition(key, today, cutoff)).label(key) for key in TAB_KEYS]
    stmt = sa.select(*cols).select_from(Complaint).where(Complaint.status.in_(OPEN), *filter_conditions(f))
    row = db.session.execute(stmt).one()
    return {key: int(row._mapping[key] or 0) for key in TAB_KEYS}


def opd_choices() -> list[tuple[str, str]]:
    """Active OPDs as ``(code, name)``, units indented under their agency."""
    opds = db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name)).all()
    by_parent: dict[int | None, list[OPD]] = {}
    ids = {o.id for o in opds}
    for o in opds:
        by_parent.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)
    out: list[tuple[str, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in by_parent.get(parent, []):
            out.append((o.code, ("— " * depth) + o.name))
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


def category_choices(leaves_only: bool = False) -> list[tuple[int, str, int]]:
    """Active categories as ``(id, path, effective norm)`` in path order."""
    cats = db.session.scalars(sa.select(Category).where(Category.active.is_(True))
                              .options(orm.selectinload(Category.children))
                              .order_by(Category.path)).all()
    by_id = {cat.id: cat for cat in cats}
    out = []
    for cat in cats:
        if leaves_only and any(ch.active for ch in cat.children):
            continue
        norm, node = None, cat
        while node is not None and norm is None:
            norm = node.norm_days
            node = by_id.get(node.parent_id) if node.parent_id else None
        out.append((cat.id, cat.path, norm or 14))
    return out

"""Writing: batches of normalised rows inserted or updated with Core executemany / COPY, and events.

- a new ``ID Laporan`` creates a complaint, its reporter, an ``imported`` event and its follow-up;
- a known one whose values differ is updated, with an ``updated`` event ``{field: [old, new]}``
  (personal data only by field name, never its values);
- an identical one writes nothing and counts as unchanged.

Any row error stops the writing, the remaining rows are still checked so that every error is
listed, and the transaction is rolled back: all or nothing. ``dry_run`` never writes at all
(categories that would be created get provisional ids), so its counts equal a real run's.
The import mirrors LAPOR!'s state; it is not a workflow transition, so it writes the columns
directly rather than through :mod:`portal.complaints.operations` (whose due-date rule it uses).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import os
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from portal.complaints import lapor_sync
from portal.complaints.importing.normalising import ImportResult, Normaliser
from portal.complaints.importing.reading import FileError, Source, map_header, open_source
from portal.complaints.importing.vocabulary import (
    CHANNEL_VALUES,
    COLUMN_OF,
    DATE_FIELDS,
    GENDER_VALUES,
    LABELS,
    MIRRORED,
    REPORTER_FIELDS,
    TYPE_VALUES,
)
from portal.complaints.models import Channel, Complaint, ComplaintEvent, ComplaintType, FollowUp, Reporter, Status
from portal.core.db import utcnow
from portal.core.workdays import get_calendar
from portal.extensions import db

BATCH_SIZE = 2000
#: shown in events instead of personal data values
MASK = "•••"

ProgressFn = Callable[[int, int, int], None]

#: the sides of a conflict between LAPOR!'s row and the portal's own later work
KEEP_PORTAL = "portal"
TAKE_LAPOR = "lapor"
SIDES = (KEEP_PORTAL, TAKE_LAPOR)
#: the columns kept with the portal's status / OPD when staff keep the portal's side
_KEPT_WITH = {"status": ("status", "finished_at"), "opd": ("opd_id", "dispatched_at")}


class Importer(Normaliser):
    """One run over one file. Use :func:`import_file` unless you need the pieces."""

    def __init__(self, path: str | os.PathLike, *, dry_run: bool = False, actor_id: int | None = None,
                 on_progress: ProgressFn | None = None, batch_size: int = BATCH_SIZE,
                 create_categories: bool = True, batch_id: int | None = None,
                 resolutions: dict[str, Any] | None = None, default_side: str = KEEP_PORTAL):
        self.path = path
        #: the import batch being run (recorded on the worklist items it ticks off)
        self.batch_id = batch_id
        #: staff's choice per conflicting ``ID Laporan`` (``{"side", "by", "at"}``), else ``default_side``
        self.resolutions = resolutions or {}
        if default_side not in SIDES:
            raise ValueError(f"unknown side {default_side!r}")
        self.default_side = default_side
        #: categories of the file that do not exist yet are created (else such rows are errors); the
        #: preview lists them (``ImportResult.new_categories``) so a person approves them first
        self.create_categories = create_categories
        self.dry_run = dry_run
        self.writing = not dry_run
        self.actor_id = actor_id
        self.on_progress = on_progress
        self.batch_size = batch_size
        self.result = ImportResult(dry_run=dry_run)
        self.session = db.session
        self.now = utcnow()
        self._seen: dict[str, int] = {}
        self._due_cache: dict[tuple[dt.date, int], dt.date] = {}
        self._calendar = get_calendar()
        self._fake_ids = -1
        self._insert_sql: dict[tuple[str, tuple[str, ...]], tuple[str, list[Any]]] = {}

    # running ---------------------------------------------------------------------------------
    def run(self) -> ImportResult:
        import time

        started = time.perf_counter()
        res = self.result
        try:
            with open_source(self.path) as src:
                self.index, res.columns, missing = map_header(src.header)
                if missing:
                    raise FileError("Kolom wajib tidak ada: " + ", ".join(missing))
                self.present = {COLUMN_OF.get(k, k) for k in self.index}
                self.date_keys = [k for k in DATE_FIELDS if k in self.index]
                self.coded_keys = [(k, table, LABELS[k]) for k, table in (
                    ("type", TYPE_VALUES), ("channel", CHANNEL_VALUES), ("gender", GENDER_VALUES))
                    if k in self.index]
                self.yes_no_keys = [(k, LABELS[k]) for k in ("is_anonymous", "is_confidential", "has_disability")
                                    if k in self.index]
                self._clean_paths = {}
                self._load_reference()
                batch: list[dict[str, Any]] = []
                for row_no, cells in src.rows():
                    if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                        continue
                    res.rows += 1
                    rec = self._normalise(row_no, cells)
                    if rec is not None:
                        batch.append(rec)
                    if len(batch) >= self.batch_size:
                        self._process(batch)
                        batch = []
                        self._progress(src)
                if batch:
                    self._process(batch)
                self._progress(src)
        except FileError as exc:
            self._error(1, "", str(exc))
        except BaseException:
            self.session.rollback()
            raise
        if not res.ok or self.dry_run:
            self.session.rollback()
        res.seconds = time.perf_counter() - started
        return res

    def _progress(self, src: Source) -> None:
        if self.on_progress:
            self.on_progress(src.position(), src.total, self.result.rows)

    # writing ---------------------------------------------------------------------------------
    def _process(self, batch: list[dict[str, Any]]) -> None:
        t = Complaint.__table__
        ids = [r["tracking_no"] for r in batch]
        cols = [t.c.id, t.c.tracking_no, t.c.norm_days, t.c.due_date, t.c.last_activity_at,
                *(t.c[k] for k in MIRRORED)]
        existing = {row.tracking_no: row for row in self.session.execute(
            sa.select(*cols).where(t.c.tracking_no.in_(ids)))}
        # staff-entered complaints whose LAPOR! number was recorded: LAPOR!'s row merges into them
        links = lapor_sync.links_for([i for i in ids if i not in existing])
        if links:
            by_id = {cid: no for no, (cid, _merged) in links.items()}
            for row in self.session.execute(sa.select(*cols).where(t.c.id.in_(list(by_id)))):
                existing[by_id[row.id]] = row
        reporters: dict[int, Any] = {}
        followups: dict[int, str] = {}
        known_fus: dict[int, set[str]] = {}
        pending: dict[int, list[Any]] = {}
        if existing:
            cids = [row.id for row in existing.values()]
            rt = Reporter.__table__
            reporters = {r.complaint_id: r for r in self.session.execute(
                sa.select(rt).where(rt.c.complaint_id.in_(cids)))}
            ft = FollowUp.__table__
            for cid, text, source in self.session.execute(
                    sa.select(ft.c.complaint_id, ft.c.text, ft.c.source)
                    .where(ft.c.complaint_id.in_(cids))
                    .order_by(ft.c.complaint_id, ft.c.created_at, ft.c.id)):
                known_fus.setdefault(cid, set()).add(lapor_sync.normalise_text(text))
                if source == "import":
                    followups[cid] = text  # the latest import follow-up wins
            pending = lapor_sync.pending_for(cids)

        new_rows, new_recs, updates, rep_updates, rep_inserts, events, fus = [], [], [], [], [], [], []
        ticks: list[dict[str, Any]] = []
        merged: list[int] = []
        for rec in batch:
            old = existing.get(rec["tracking_no"])
            if old is None:
                new_rows.append(self._new_row(rec))
                new_recs.append(rec)
                continue
            link = links.get(rec["tracking_no"])
            if link is not None and link[1] is None:
                merged.append(old.id)
                events.append(self._event(old.id, "lapor_merged", public=False,
                                          changes={"lapor_no": [None, rec["tracking_no"]], "batch": self.batch_id}))
            rec = self._reconcile(rec, old, pending.get(old.id, []), link is not None, ticks, events)
            change = self._compare(rec, old, reporters.get(old.id), followups.get(old.id),
                                   known_fus.get(old.id, set()))
            if change is None:
                self.result.unchanged += 1
                continue
            values, changes, rep_values, fu_text = change
            self.result.updated += 1
            updates.append({"b_id": old.id, **{f"b_{k}": v for k, v in values.items()}})
            status_changed = "status" in changes
            events.append(self._event(old.id, "updated", changes=changes, public=status_changed,
                                      from_status=old.status if status_changed else None,
                                      to_status=values["status"] if status_changed else None))
            if rep_values is not None:
                if old.id in reporters:
                    rep_updates.append({"b_id": reporters[old.id].id,
                                        **{f"b_{k}": v for k, v in rep_values.items()}})
                else:
                    rep_inserts.append({"complaint_id": old.id, **rep_values})
            if fu_text:
                fus.append({"complaint_id": old.id, "opd_id": values["opd_id"], "author_id": None,
                            "created_at": self.now, "text": fu_text, "source": "import"})
        self.result.created += len(new_rows)
        self.result.synced += sum(1 for tick in ticks if tick["b_resolution"] == lapor_sync.Resolution.IMPORT)
        if not self.writing:
            return
        lapor_sync.resolve_rows(ticks)
        lapor_sync.mark_merged(merged, self.now)

        if new_rows:
            self._insert_many(t, new_rows)
            new_ids = dict(self.session.execute(
                sa.select(t.c.tracking_no, t.c.id).where(t.c.tracking_no.in_([r["tracking_no"] for r in new_rows]))
            ).all())
            for rec, row in zip(new_recs, new_rows, strict=True):
                cid = new_ids[rec["tracking_no"]]
                rep = {k: rec.get(k) for k in REPORTER_FIELDS}
                rep["has_disability"] = bool(rep["has_disability"])
                if any(rep.values()):
                    rep_inserts.append({"complaint_id": cid, **rep})
                events.extend(self._history(cid, row))
                if rec.get("_followup"):
                    fus.append({"complaint_id": cid, "opd_id": row["opd_id"], "author_id": None,
                                "created_at": row["finished_at"] or row["first_followup_at"] or self.now,
                                "text": rec["_followup"], "source": "import"})
        if updates:
            keys = [k[2:] for k in updates[0] if k != "b_id"]
            self.session.execute(
                sa.update(t).where(t.c.id == sa.bindparam("b_id")).values(
                    {k: sa.bindparam(f"b_{k}") for k in keys} | {"version": t.c.version + 1}),
                updates,
            )
        if rep_updates:
            rt = Reporter.__table__
            self.session.execute(
                sa.update(rt).where(rt.c.id == sa.bindparam("b_id")).values(
                    {k: sa.bindparam(f"b_{k}") for k in REPORTER_FIELDS}),
                rep_updates,
            )
        for table, rows in ((Reporter.__table__, rep_inserts), (FollowUp.__table__, fus),
                            (ComplaintEvent.__table__, events)):
            if rows:
                self._insert_many(table, rows)

    def _insert_many(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """``executemany`` straight on the DB-API cursor, values already in the driver's form.

        SQLAlchemy's per-value type processing costs more than everything else together at
        thousands of rows a second; the converters here do the same work once per column type
        (UTC datetimes as SQLAlchemy stores them on SQLite, enums as their values, JSON as text).
        """
        conn = self.session.connection()
        names = list(rows[0])
        cached = self._insert_sql.get((table.name, tuple(names)))
        if cached is None:
            quote = conn.dialect.identifier_preparer.quote
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                   f"VALUES ({', '.join([mark] * len(names))})")
            converters = [_converter(table.c[n].type, conn.dialect.name) for n in names]
            cached = self._insert_sql[(table.name, tuple(names))] = (sql, converters)
        sql, converters = cached
        getter = operator.itemgetter(*names)
        convert = [(i, conv) for i, conv in enumerate(converters) if conv is not None]
        params = []
        for r in rows:
            values = list(getter(r))
            for i, conv in convert:
                if values[i] is not None:
                    values[i] = conv(values[i])
            params.append(tuple(values))
        if conn.dialect.name == "postgresql":  # COPY: several times faster than INSERTs
            columns = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
            raw = conn.connection.dbapi_connection
            with raw.cursor() as cur, cur.copy(
                    f"COPY {conn.dialect.identifier_preparer.quote(table.name)} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            conn.exec_driver_sql(sql, params)

    def _new_row(self, rec: dict[str, Any]) -> dict[str, Any]:
        row = {
            "tracking_no": rec["tracking_no"],
            "submitted_at": rec["submitted_at"],
            "title": rec.get("title"),
            "text": rec["text"],
            "type": rec.get("type") or ComplaintType.PENGADUAN,
            "channel": rec.get("channel") or Channel.WEBSITE,
            "category_id": rec.get("category_id"),
            "status": rec["status"],
            "opd_id": rec.get("opd_id"),
            "location": rec.get("location"),
            "is_anonymous": bool(rec.get("is_anonymous")),
            "is_confidential": bool(rec.get("is_confidential")),
            "verified_at": rec.get("verified_at"),
            "dispatched_at": rec.get("dispatched_at"),
            "first_followup_at": rec.get("first_followup_at"),
            "finished_at": rec.get("finished_at"),
            "rating": rec.get("rating"),
            "solution_rating": rec.get("solution_rating"),
            "source": "import",
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
        }
        norm = self._norm(rec, row["category_id"])
        start = row["dispatched_at"] or row["verified_at"] or row["submitted_at"]
        row["norm_days"] = norm
        row["due_date"] = self._due(start, norm)
        row["stage_due_date"] = self._stage_due(row)
        row["last_activity_at"] = max(row[k] for k in DATE_FIELDS if row[k] is not None)
        return row

    def _reconcile(self, rec: dict[str, Any], old: Any, items: list[Any], linked: bool,
                   ticks: list[dict[str, Any]], events: list[dict[str, Any]]) -> dict[str, Any]:
        """LAPOR!'s row against the portal's pending work: ticks, conflicts; the row to apply.

        Pending worklist items the row shows are ticked off. Where the remaining ones changed the
        status or the OPD and the row disagrees, it is a conflict: the chosen side (staff's choice
        for the row, else :attr:`default_side`) is applied, recorded in an event and the result.
        """
        if not items:
            return rec
        shown = [i for i in items if lapor_sync.shown_by_row(i, rec, self.present, linked)]
        for item in shown:
            ticks.append(self._tick(item, lapor_sync.Resolution.IMPORT))
        rest = [i for i in items if i not in shown]
        status_work, opd_work = lapor_sync.pending_changes(rest)
        fields: dict[str, list[Any]] = {}
        if status_work and "status" in self.present and rec["status"] != old.status:
            fields["status"] = [_iso(old.status), _iso(rec["status"])]
        if opd_work and "opd_id" in self.present and rec.get("opd_id") != old.opd_id:
            fields["opd"] = [self._show("opd_id", old.opd_id), self._show("opd_id", rec.get("opd_id"))]
        if not fields:
            return rec
        choice = self.resolutions.get(rec["tracking_no"]) or {}
        side = choice.get("side") if choice.get("side") in SIDES else self.default_side
        self.result.conflicts.append({"id": rec["tracking_no"], "complaint": old.tracking_no,
                                      "fields": fields, "side": side})
        event = self._event(old.id, "lapor_conflict", public=False,
                            changes={**fields, "side": side, "batch": self.batch_id})
        if choice.get("by"):
            event["actor_id"] = choice["by"]
        events.append(event)
        if side == TAKE_LAPOR:
            for item in rest:
                kind = lapor_sync.SyncKind(item.kind)
                # a follow-up's text is still missing in LAPOR!: it stays on the worklist
                if (("status" in fields and kind in lapor_sync.STATUS_KINDS)
                        or ("opd" in fields and kind in lapor_sync.OPD_KINDS)):
                    ticks.append(self._tick(item, lapor_sync.Resolution.LAPOR, by=choice.get("by")))
            return rec
        kept = dict(rec)
        for name in fields:
            for key in _KEPT_WITH[name]:
                if key in self.present:
                    kept[key] = getattr(old, key)
        return kept

    def _tick(self, item: Any, resolution: Any, by: int | None = None) -> dict[str, Any]:
        return {"b_id": item.id, "b_resolution": resolution, "b_at": self.now, "b_by": by,
                "b_batch": self.batch_id, "b_note": None}

    def _compare(self, rec: dict[str, Any], old: Any, old_rep: Any, old_fu: str | None,
                 known_fus: set[str] | frozenset[str] = frozenset()):
        """``None`` when nothing differs, else (complaint values, changes, reporter values, follow-up)."""
        values: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        for key in MIRRORED:
            current = getattr(old, key)
            if key in self.present:
                new = rec.get(key)
                if key == "type":
                    new = new or ComplaintType.PENGADUAN
                elif key == "channel":
                    new = new or Channel.WEBSITE
                elif key in ("is_anonymous", "is_confidential"):
                    new = bool(new)
                if new != current:
                    changes[_change_key(key)] = [self._show(key, current), self._show(key, new)]
            else:
                new = current
            values[key] = new
        norm = self._norm(rec, values["category_id"], old)
        if norm != old.norm_days:
            changes["norm_days"] = [old.norm_days, norm]
        values["norm_days"] = norm
        start = values["dispatched_at"] or values["verified_at"] or values["submitted_at"]
        values["due_date"] = self._due(start, norm)
        if values["due_date"] != old.due_date:
            changes["due_date"] = [_iso(old.due_date), _iso(values["due_date"])]
        values["stage_due_date"] = self._stage_due(values)

        rep_values = None
        present_rep = [k for k in REPORTER_FIELDS if k in self.index]
        if present_rep:
            merged = {k: (getattr(old_rep, k) if old_rep is not None else None) for k in REPORTER_FIELDS}
            merged["has_disability"] = bool(merged["has_disability"])
            changed = []
            for k in present_rep:
                new = bool(rec.get(k)) if k == "has_disability" else rec.get(k)
                if new != merged[k]:
                    changed.append(k)
                    merged[k] = new
            if changed and (old_rep is not None or any(merged.values())):
                rep_values = merged
                for k in changed:
                    changes[f"reporter.{k}"] = [MASK, MASK]
        fu_text = rec.get("_followup")
        # merged, never replaced: a text the complaint already has (the portal's or an import's) is not
        # added again
        if fu_text and fu_text != old_fu and lapor_sync.normalise_text(fu_text) not in known_fus:
            changes["followup"] = [_short(old_fu), _short(fu_text)]
        else:
            fu_text = None
        if not changes:
            return None
        dates = [d for d in (old.last_activity_at, *(values[k] for k in DATE_FIELDS)) if d is not None]
        values["last_activity_at"] = max(dates)
        values["updated_at"] = self.now
        return values, changes, rep_values, fu_text

    def _show(self, key: str, value: Any) -> Any:
        if value is None:
            return None
        if key == "category_id":
            return self.cat_path.get(value)
        if key == "opd_id":
            return self.opd_code.get(value)
        if key in ("title", "text"):
            return _short(value)
        return _iso(value)

    def _event(self, cid: int, kind: str, *, changes: dict[str, Any] | None = None, public: bool,
               from_status: Any = None, to_status: Any = None, at: dt.datetime | None = None) -> dict[str, Any]:
        return {"complaint_id": cid, "at": at or self.now, "actor_id": self.actor_id, "kind": kind,
                "from_status": from_status, "to_status": to_status, "changes": changes or {},
                "note": None, "is_public": public}

    def _history(self, cid: int, row: dict[str, Any]) -> list[dict[str, Any]]:
        """The events of a new complaint at LAPOR!'s own dates (its public timeline), not the import time.

        Received (Tanggal Laporan), verified (internal, as in the portal), forwarded (Tanggal
        Disposisi), first follow-up (Tanggal Tindak Lanjut), finished (Tanggal Selesai) — as far as
        the file gives them and the final status agrees; a final status the dates do not explain
        (Tunda, Arsip …) is reached at the latest date known. The import time is kept in the
        received event's changes.
        """
        S = Status
        final = row["status"]
        events = [self._event(cid, "imported", public=True, to_status=S.BELUM_TERVERIFIKASI,
                              at=row["submitted_at"], changes={"imported_at": self.now.isoformat()})]
        state, last = S.BELUM_TERVERIFIKASI, row["submitted_at"]

        def step(kind: str, at: dt.datetime | None, to: Status, **extra: Any) -> None:
            nonlocal state, last
            at = max(at or last, last)  # never before the previous step
            events.append(self._event(cid, kind, public=True, from_status=state, to_status=to, at=at, **extra))
            state, last = to, at

        if row["verified_at"] is not None:
            last = max(row["verified_at"], last)
            events.append(self._event(cid, "verified", public=False, at=last))
        if final != S.BELUM_TERVERIFIKASI and row["dispatched_at"] is not None:
            opd = self.opd_code.get(row["opd_id"]) if row["opd_id"] else None
            step("dispatched", row["dispatched_at"], S.BELUM_DITINDAKLANJUTI, changes={"opd": [None, opd]})
        if final in (S.PROSES, S.SELESAI) and row["first_followup_at"] is not None and state != S.BELUM_TERVERIFIKASI:
            step("followup", row["first_followup_at"], S.PROSES)
        if final == S.SELESAI and row["finished_at"] is not None and state != S.BELUM_TERVERIFIKASI:
            step("status", row["finished_at"], S.SELESAI)
        if state != final:
            known = [d for d in (row["verified_at"], row["dispatched_at"], row["first_followup_at"],
                                 row["finished_at"]) if d is not None]
            step("status", max([last, *known]), final)
        return events


def _converter(type_: Any, dialect: str) -> Callable[[Any], Any] | None:
    """The function turning a Python value into the driver's value for a column type (``None``: as is)."""
    from portal.core.db import UTCDateTime

    if isinstance(type_, UTCDateTime):  # values here are aware UTC already
        if dialect == "sqlite":
            return lambda v: v.isoformat(" ", "microseconds")[:26]  # SQLAlchemy's SQLite format
        return lambda v: v.replace(tzinfo=None)
    if isinstance(type_, sa.Enum):
        return lambda v: getattr(v, "value", v)
    if isinstance(type_, sa.JSON):
        return json.dumps
    if isinstance(type_, sa.Date) and dialect == "sqlite":
        return lambda v: v.isoformat()
    return None


def _change_key(key: str) -> str:
    return {"category_id": "category", "opd_id": "opd"}.get(key, key)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _short(text: str | None, limit: int = 200) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


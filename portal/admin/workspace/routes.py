"""Kominfo workspace: queues, complaint page, inline and bulk actions.

Every action is a POST carrying the complaint's ``version``. A stale version (another staff
member acted first) answers 409 with the current state re-rendered — never a silent overwrite.
htmx gets fragments (a queue row, or the queue); a plain form post is redirected (303).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import orm
from sqlalchemy.orm.exc import StaleDataError

from portal.admin import bp
from portal.admin.workspace import queries
from portal.admin.workspace.actions import (
    ACTIONS,
    BULK_ACTIONS,
    UNDO_MINUTES,
    bulk_intro,
    bulk_summary,
    form_problem,
    offered_actions,
    row_form,
)
from portal.admin.workspace.forms import (
    ARCHIVE_REASONS,
    ActionForm,
    BulkForm,
)
from portal.admin.workspace.privacy import reporter_view
from portal.complaints import lapor_sync
from portal.complaints import operations as ops
from portal.complaints.entry import entered_at_opd
from portal.complaints.models import (
    Attachment,
    BulkChange,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintType,
    FollowUp,
    Status,
)
from portal.complaints.redaction import public_timeline_note
from portal.core import cache, idempotency
from portal.core.auth import get_complaint_or_404, is_safe_next, role_required
from portal.core.db import utcnow
from portal.core.htmx import hx_response, wants_partial
from portal.core.render import render
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.people.models import Role

S = Status
READERS = (Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)
REVEALERS = (Role.KOMINFO, Role.OMBUDSMAN)

EVENT_LABELS = {
    "created": _l("Laporan dibuat"), "imported": _l("Diimpor dari LAPOR!"), "verified": _l("Diverifikasi"),
    "dispatched": _l("Didisposisikan"), "followup": _l("Tindak lanjut"), "status": _l("Status diubah"),
    "returned": _l("Dikembalikan OPD (bukan kewenangan)"), "reveal": _l("Data pribadi pelapor dibuka"),
    "reopened": _l("Dibuka kembali"), "recomputed": _l("Tenggat dihitung ulang (kalender berubah)"),
    "auto_finished": _l("Selesai otomatis (10 hari kerja tanpa tanggapan)"),
    "overdue": _l("Melewati tenggat"), "updated": _l("Diperbarui"),
    "reporter_reply": _l("Tanggapan pelapor diterima"),
    "forwarded": _l("Diteruskan ke instansi lain"),
    "lapor_conflict": _l("Beda dengan SP4N-LAPOR! diputuskan saat impor"),
    "lapor_merged": _l("Digabung dengan baris SP4N-LAPOR!"),
    "lapor_linked": _l("Nomor SP4N-LAPOR! dicatat"),
    "lapor_synced": _l("Ditandai sudah di SP4N-LAPOR!"),
    "escalation_liaison": _l("Eskalasi: pengingat ke pejabat penghubung"),
    "escalation_head": _l("Eskalasi: pemberitahuan ke kepala OPD"),
    "escalation_leadership": _l("Eskalasi: dicantumkan untuk pimpinan Diskominfo"),
}


def can_act() -> bool:
    return current_user.is_authenticated and current_user.role == Role.KOMINFO


# --- the queue ---------------------------------------------------------------------------------

#: seconds the last counts of a view are kept, to show (marked as updating) while new ones are made
LAST_COUNTS_SECONDS = 3600


def _counts_key(f: queries.QueueFilter) -> str:
    return "queue-counts:" + today_wib().isoformat() + ":" + "&".join(
        f"{k}={v}" for k, v in sorted(f.args(setelah=None, tab="belum_terverifikasi").items()))


def _counts(f: queries.QueueFilter) -> dict[str, int]:
    """The tab counts under ``f``'s filters, for the current data generation (cached), remembered as
    the view's last counts too."""
    key = _counts_key(f)

    def count() -> dict[str, int]:
        counts = queries.counts(f)
        cache.set(f"{key}:last", counts, LAST_COUNTS_SECONDS)
        return counts

    return cache.cached(key, current_app.config.get("STATS_CACHE_SECONDS", 30), count)


def _page_counts(f: queries.QueueFilter) -> tuple[dict[str, int] | None, bool]:
    """``(counts, fresh)`` for a queue page, which never waits for counting when it can help it.

    Counting reads every open complaint that matches (index-only, but ~50 ms at 1M, and a common
    free-text word reads its matching rows). So the page shows the counts of the current data
    generation when they are cached; else the view's last counts, marked as updating; else none —
    and the counts follow in their own request (:func:`queue_counts`, fetched by htmx after the rows).
    Counted here only when asked (``hitung=1``, the no-JavaScript link) or for a whole page in a
    browser without JavaScript (no ``js`` cookie from static/js/portal.js) that has nothing to show
    yet and no free text.
    """
    if request.args.get("hitung") == "1":
        return _counts(f), True
    key = _counts_key(f)
    fresh = cache.peek(key)
    if fresh is not None:
        return fresh, True
    last = cache.get(f"{key}:last")
    if last is not None or wants_partial() or request.cookies.get("js") == "1" or queries.is_text_search(f):
        return last, False
    return _counts(f), True


def _queue_context(f: queries.QueueFilter) -> dict[str, Any]:
    page = queries.page(f)
    counts, counts_fresh = _page_counts(f)
    return {
        "f": f,
        "page": page,
        "counts": counts,
        "counts_fresh": counts_fresh,
        "tabs": queries.TABS,
        "sorts": queries.SORTS,
        "opd_choices": queries.opd_choices(),
        "category_choices": queries.category_choices(),
        "channels": [(ch.value, ch.label) for ch in Channel],
        "types": [(t.value, t.label) for t in ComplaintType],
        "today": today_wib(),
        "can_act": can_act(),
        "bulk_form": BulkForm(formdata=None),
        "archive_reasons": ARCHIVE_REASONS,
        "queue_url": url_for("admin.index", **f.args()),
        "undoable": _undoable(),
        "undo_minutes": UNDO_MINUTES,
        "entered_opd": entered_at_opd([c.id for c in page.rows]),
    }


@bp.get("/")
@role_required(*READERS)
def index():
    f = queries.QueueFilter.from_args(request.args)
    resp = render("admin/workspace/index.html", partial="admin/workspace/_queue.html", **_queue_context(f))
    if wants_partial():  # history gets the canonical URL (no empty parameters)
        resp = hx_response(resp, push_url=url_for("admin.index", **f.args()))
    return resp


@bp.get("/jumlah")
@role_required(*READERS)
def queue_counts():
    """The tab counts of a queue view as out-of-band swaps (loaded by the queue after its rows)."""
    f = queries.QueueFilter.from_args(request.args)
    if not wants_partial():  # opened directly: the queue page, counted
        return redirect(url_for("admin.index", hitung=1, **f.args(setelah=None)), code=303)
    return render_template("admin/workspace/_counts.html", counts=_counts(f), f=f, tabs=queries.TABS)


def _suggested(c: Complaint) -> dict[str, Any]:
    """Suggestions for an unverified or returned complaint (shown, never applied)."""
    if not can_act() or not (c.status == S.BELUM_TERVERIFIKASI or c.returned_at is not None):
        return {}
    from portal.complaints import suggest

    try:
        return suggest.suggest(f"{c.title or ''}\n{c.text}")
    except Exception:  # a suggestion must never break the page
        current_app.logger.exception("suggest failed")
        return {}


def _action_forms(c: Complaint, ctx: str, next_url: str,
                  bound: dict[str, ActionForm] | None = None) -> dict[str, ActionForm]:
    """Forms for the actions offered now, pre-filled from the complaint (or a suggestion clicked)."""
    forms: dict[str, ActionForm] = {}
    bound = bound or {}
    for key in offered_actions(c):
        form = bound.get(key) or ACTIONS[key].form(formdata=None)
        form.version.data = str(c.version)
        form.ctx.data = ctx
        form.next.data = next_url
        if key == "verifikasi" and key not in bound:
            form.type.data = c.type.value
            form.category.data = request.args.get("kategori_saran") or (
                str(c.category_id) if c.category_id else "")
            form.opd.data = request.args.get("opd_saran") or _default_opd(form.category.data)
        if key == "disposisi" and key not in bound:
            default = request.args.get("opd_saran") or (
                c.opd.code if c.opd and c.returned_at is None else None) or (
                c.category.default_opd.code if c.category and c.category.default_opd else "")
            form.opd.data = default
        forms[key] = form
    return forms


def _default_opd(category_id: str | None) -> str:
    """The chosen category's default OPD (its code), or ``""``."""
    cat = db.session.get(Category, int(category_id)) if category_id and str(category_id).isdigit() else None
    return cat.default_opd.code if cat is not None and cat.default_opd is not None else ""


def _load(tracking_no: str) -> Complaint:
    c = get_complaint_or_404(tracking_no)
    return c


def _row_response(c: Complaint, *, status: int = 200, panel: bool = False, notice: str | None = None,
                  error: str | None = None, bound: dict[str, ActionForm] | None = None,
                  next_url: str | None = None):
    next_url = next_url if is_safe_next(next_url) else url_for("admin.index")
    f = queries.QueueFilter.from_args(dict(parse_qsl(urlsplit(next_url).query)))
    ctx = {
        "c": c, "panel": panel, "notice": notice, "error": error, "can_act": can_act(), "f": f,
        "forms": _action_forms(c, "queue", next_url, bound) if panel and can_act() else {},
        "suggestions": _suggested(c) if panel else {}, "queue_url": next_url, "today": today_wib(),
        "opd_choices": queries.opd_choices() if panel else [],
        "category_choices": queries.category_choices() if panel else [],
        "recount": bool(notice), "tabs": queries.TABS, "entered_opd": entered_at_opd([c.id]),
    }
    return render("admin/workspace/_queue_row_page.html", partial="admin/workspace/_queue_row.html", status=status,
                  **ctx)


@bp.get("/laporan/<tracking_no>/baris")
@role_required(*READERS)
def queue_row(tracking_no: str):
    """One queue row, optionally with its action panel open (htmx); a full request goes to the page."""
    c = _load(tracking_no)
    if not wants_partial():
        return redirect(url_for("admin.complaint", tracking_no=c.tracking_no, **_suggest_args()))
    return _row_response(c, panel=request.args.get("panel") == "1", next_url=request.args.get("next"))


def _suggest_args() -> dict[str, Any]:
    return {k: v for k in ("kategori_saran", "opd_saran") if (v := request.args.get(k))}


# --- the complaint page ------------------------------------------------------------------------

def _timeline(c: Complaint) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for ev in c.events:
        if ev.kind == "followup" and ev.from_status == ev.to_status:
            continue  # the follow-up itself is listed with its text below
        items.append({"at": ev.at, "kind": ev.kind, "label": EVENT_LABELS.get(ev.kind, ev.kind),
                      "actor": ev.actor, "note": ev.note, "changes": ev.changes, "from": ev.from_status,
                      "to": ev.to_status, "public": ev.is_public,
                      "public_note": public_timeline_note(c, ev)})
    for fu in c.followups:
        items.append({"at": fu.created_at, "kind": "followup_text", "label": "Tindak lanjut OPD",
                      "actor": fu.author, "note": fu.text, "opd": fu.opd, "attachments": fu.attachments,
                      "public": True})
    for att in c.attachments:
        if att.followup_id is None:
            items.append({"at": att.created_at, "kind": "attachment", "label": "Lampiran",
                          "attachments": [att], "public": False})
    items.sort(key=lambda i: i["at"])
    return items


def attachment_url(att: Attachment) -> str:
    if "admin.attachment" in current_app.view_functions:
        return url_for("admin.attachment", id=att.id)
    return f"/admin/lampiran/{att.id}"


def _complaint_page(c: Complaint, *, status: int = 200, revealed: bool = False, error: str | None = None,
                    conflict: bool = False, bound: dict[str, ActionForm] | None = None):
    page_url = url_for("admin.complaint", tracking_no=c.tracking_no)
    back = request.values.get("next") if is_safe_next(request.values.get("next")) else None
    duplicates = db.session.scalars(sa.select(Complaint).where(Complaint.duplicate_of_id == c.id)
                                    .order_by(Complaint.submitted_at)).all()
    ctx = {
        "c": c, "timeline": _timeline(c), "deadlines": ops.deadlines(c, today_wib()),
        "reporter": reporter_view(c.reporter, revealed), "revealed": revealed,
        "can_reveal": current_user.role in REVEALERS and c.reporter is not None,
        "can_act": can_act(), "forms": _action_forms(c, "page", back or page_url, bound) if can_act() else {},
        "suggestions": _suggested(c), "duplicates": duplicates, "error": error, "conflict": conflict,
        "opd_choices": queries.opd_choices() if can_act() else [],
        "category_choices": queries.category_choices() if can_act() else [],
        "back": back, "attachment_url": attachment_url, "actions": ACTIONS,
        "lapor": lapor_sync.panel(c) if can_act() else None,
    }
    return render("admin/workspace/complaint.html", partial="admin/workspace/_reporter.html" if revealed else None,
                  status=status, **ctx)


def _complaint_options():
    return (
        orm.selectinload(Complaint.events).joinedload(ComplaintEvent.actor),
        orm.selectinload(Complaint.followups).options(orm.joinedload(FollowUp.author),
                                                      orm.joinedload(FollowUp.opd),
                                                      orm.selectinload(FollowUp.attachments)),
        orm.selectinload(Complaint.attachments),
        orm.joinedload(Complaint.reporter), orm.joinedload(Complaint.opd),
        orm.joinedload(Complaint.category), orm.joinedload(Complaint.duplicate_of),
    )


def _load_full(tracking_no: str) -> Complaint:
    c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == tracking_no)
                          .options(*_complaint_options()))
    if c is None:
        abort(404)
    return c


@bp.get("/laporan/<tracking_no>")
@role_required(*READERS)
def complaint(tracking_no: str):
    return _complaint_page(_load_full(tracking_no))


@bp.post("/laporan/<tracking_no>/ungkap")
@role_required(*REVEALERS)
def reveal(tracking_no: str):
    """Show the reporter's personal data once, recording who looked (never in the app log)."""
    c = _load_full(tracking_no)
    if c.reporter is None:
        abort(404)
    ops.record_event(c, "reveal", current_user, public=False,
                     note=(request.form.get("purpose") or "").strip()[:300] or None)
    db.session.commit()
    return _complaint_page(c, revealed=True)


# --- acting ------------------------------------------------------------------------------------

def _conflict_message(c: Complaint) -> str:
    return _("Laporan #%(no)s baru saja diubah oleh petugas lain (status sekarang: %(st)s). "
             "Tindakan Anda tidak disimpan; periksa keadaan terbaru di bawah lalu ulangi bila perlu.",
             no=c.tracking_no, st=c.status.label)


@bp.post("/laporan/<tracking_no>/aksi/<action>")
@role_required(Role.KOMINFO)
def act(tracking_no: str, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        abort(404)
    c = _load(tracking_no)
    form = spec.form()
    ctx = form.ctx.data if form.ctx.data in ("queue", "page") else "page"
    next_url = form.next.data if is_safe_next(form.next.data) else None
    htmx_queue = ctx == "queue" and wants_partial()

    def refused(message: str | None, status: int, conflict: bool = False):
        db.session.rollback()
        db.session.expire_all()
        fresh = _load_full(tracking_no)
        message = message or _conflict_message(fresh)
        if htmx_queue:
            return _row_response(fresh, status=status, panel=True, error=message, next_url=next_url,
                                 bound=None if conflict else {action: form})
        if not conflict and ctx == "queue" and next_url and status == 422:
            flash(message, "error")
        return _complaint_page(fresh, status=status, error=message, conflict=conflict,
                               bound=None if conflict else {action: form})

    submit_key = idempotency.posted_key()

    def replayed(seen):
        """A second POST of a form already handled (a double tap): the first one's result."""
        if htmx_queue:
            return _row_response(_load_full(tracking_no), notice=seen.message, next_url=next_url)
        flash(seen.message, "success")
        return redirect(seen.url, code=303)

    if (seen := idempotency.replay(submit_key)) is not None:
        return replayed(seen)
    if not form.validate_on_submit():
        errors = "; ".join(f"{form[k].label.text}: {' '.join(v)}" for k, v in form.errors.items()
                           if k in form and k != "csrf_token")
        if "csrf_token" in form.errors:
            abort(400)
        return refused(_("Periksa isian: %(e)s", e=errors), 422)
    done_url = next_url if ctx == "queue" and next_url else url_for("admin.complaint", tracking_no=c.tracking_no)
    try:
        ops.check_version(c, form.version.data)
        message = spec.apply(c, form, current_user)
        idempotency.remember(submit_key, done_url, message)
        db.session.commit()
    except (ops.ConflictError, StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        if (seen := idempotency.replay(submit_key)) is not None:  # the other tap won the race
            return replayed(seen)
        return refused(None, 409, conflict=True)
    except ops.TransitionError as exc:
        return refused(_("Tindakan tidak dapat dilakukan: %(e)s", e=str(exc)), 422)
    if htmx_queue:
        fresh = _load_full(tracking_no)
        return _row_response(fresh, notice=message, next_url=next_url)
    flash(message, "success")
    return redirect(done_url, code=303)


# --- bulk actions ------------------------------------------------------------------------------

def _selected() -> dict[int, str]:
    selected: dict[int, str] = {}
    for raw in request.form.getlist("sel"):
        cid, _sep, version = raw.partition(":")
        if cid.isdigit():
            selected[int(cid)] = version
    return selected


@bp.post("/massal")
@role_required(Role.KOMINFO)
def bulk():
    """Apply one action to the selected rows, after a confirmation listing them (no JavaScript needed).

    The first POST answers the confirmation (how many, which); the confirmed POST (``konfirmasi=1``)
    applies the single action's own function to each row — each row carries its version, conflicts
    are reported — and keeps what it changed so it can be undone for :data:`UNDO_MINUTES` minutes.
    """
    form = BulkForm()
    form.opd.choices = [("", "—"), *queries.opd_choices()]
    next_url = form.next.data if is_safe_next(form.next.data) else url_for("admin.index")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _bulk_done(next_url, _("Periksa isian tindakan massal."), error=True)
    key = BULK_ACTIONS[form.action.data]
    submit_key = idempotency.posted_key()
    if (seen := idempotency.replay(submit_key)) is not None:
        return _bulk_done(seen.url, seen.message)
    selected = _selected()
    if not selected:
        return _bulk_done(next_url, _("Pilih minimal satu laporan."), error=True)
    for version in selected.values():
        if not version.strip().isdigit():
            raise ops.VersionMissing()
    problem = form_problem(key, row_form(key, form))
    if problem:
        return _bulk_done(next_url, _("Tindakan massal tidak dijalankan: %(e)s", e=problem), error=True)
    complaints = db.session.scalars(sa.select(Complaint).where(Complaint.id.in_(selected))
                                    .options(orm.joinedload(Complaint.opd), orm.joinedload(Complaint.reporter),
                                             orm.joinedload(Complaint.category))
                                    .order_by(Complaint.submitted_at)).unique().all()
    if request.form.get("konfirmasi") != "1":
        ctx = {"bulk_form": form, "rows": complaints, "selected": selected, "next_url": next_url,
               "intro": bulk_intro(key, len(complaints), form), "action_label": ACTIONS[key].label}
        return render("admin/workspace/bulk_confirm.html", partial="admin/workspace/_bulk_confirm.html", **ctx)
    done: list[Complaint] = []
    before: dict[int, dict[str, Any]] = {}
    refused: dict[str, str] = {}
    conflicts: set[str] = set()
    for c in complaints:
        try:
            ops.check_version(c, selected[c.id])
            filled = row_form(key, form, c)
            if (problem := form_problem(key, filled)) is not None:
                raise ops.TransitionError(problem)
            snap = ops.snapshot(c)
            ACTIONS[key].apply(c, filled, current_user)
            before[c.id] = snap
            done.append(c)
        except ops.ConflictError:
            refused[c.tracking_no] = _("diubah petugas lain")
            conflicts.add(c.tracking_no)
        except ops.TransitionError as exc:
            refused[c.tracking_no] = str(exc)
    message = " ".join(filter(None, [
        bulk_summary(key, len(done), form) if done else _("Tidak ada laporan yang diubah."),
        _("Ditolak: %(items)s.", items="; ".join(f"#{k} ({v})" for k, v in refused.items())) if refused else "",
    ]))
    try:
        db.session.flush()
        if done:
            db.session.add(BulkChange(action=key, actor_id=current_user.id, summary=message, items=[
                {"id": c.id, "no": c.tracking_no, "version": c.version, "before": before[c.id]} for c in done]))
        idempotency.remember(submit_key, next_url, message)
        db.session.commit()
    except (StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        if (seen := idempotency.replay(submit_key)) is not None:
            return _bulk_done(seen.url, seen.message)
        return _bulk_done(next_url, _("Tidak ada yang disimpan: laporan terpilih baru saja diubah petugas lain."),
                          error=True, status=409)
    status = 200 if done or not refused else (409 if set(refused) == conflicts else 422)
    return _bulk_done(next_url, message, error=bool(refused), status=status)


def _undoable() -> BulkChange | None:
    """The signed-in user's last bulk change, while it can still be undone."""
    if not can_act():
        return None
    return db.session.scalar(sa.select(BulkChange).where(
        BulkChange.actor_id == current_user.id, BulkChange.undone_at.is_(None),
        BulkChange.at >= utcnow() - dt.timedelta(minutes=UNDO_MINUTES)).order_by(BulkChange.at.desc()).limit(1))


@bp.post("/massal/<int:change_id>/batal")
@role_required(Role.KOMINFO)
def bulk_undo(change_id: int):
    """Undo a bulk change of one's own within :data:`UNDO_MINUTES` minutes; complaints changed since
    are left alone and named."""
    form = BulkForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    next_url = form.next.data if is_safe_next(form.next.data) else url_for("admin.index")
    change = db.session.get(BulkChange, change_id)
    if change is None or change.actor_id != current_user.id:
        abort(404)
    if change.undone_at is not None:
        return _bulk_done(next_url, _("Tindakan massal ini sudah dibatalkan."))
    if change.at < utcnow() - dt.timedelta(minutes=UNDO_MINUTES):
        return _bulk_done(next_url, _("Tindakan massal hanya dapat dibatalkan dalam %(m)s menit.", m=UNDO_MINUTES),
                          error=True, status=409)
    restored, changed = 0, []
    for item in change.items:
        c = db.session.get(Complaint, item["id"])
        if c is None or c.version != item["version"]:
            changed.append(f"#{item['no']}")
            continue
        ops.undo(c, current_user, item["before"], note=_("Pembatalan tindakan massal"))
        restored += 1
    change.undone_at = utcnow()
    message = _("Dibatalkan: %(n)s laporan dikembalikan ke keadaan sebelumnya.", n=restored)
    if changed:
        message += " " + _("Tidak dikembalikan karena sudah diubah sejak itu: %(items)s.", items=", ".join(changed))
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _bulk_done(next_url, _("Tidak ada yang dibatalkan: laporan baru saja diubah petugas lain."),
                          error=True, status=409)
    return _bulk_done(next_url, message, error=bool(changed))


def _bulk_done(next_url: str, message: str, *, error: bool = False, status: int | None = None):
    if status is None:
        status = 422 if error else 200
    if wants_partial():
        f = queries.QueueFilter.from_args(dict(parse_qsl(urlsplit(next_url).query)))
        ctx = _queue_context(f)
        ctx["bulk_notice"] = message
        ctx["bulk_error"] = error
        return render("admin/workspace/index.html", partial="admin/workspace/_queue.html", status=status, **ctx)
    flash(message, "error" if error else "success")
    return redirect(next_url, code=303)


@bp.context_processor
def _workspace_helpers() -> dict[str, Any]:
    return {"deadline_state": ops.deadline_state, "stage_label": ops.stage_label, "is_partial": wants_partial()}


from portal.admin.settings import routes as _settings  # noqa: E402,F401 - registers the people & settings routes

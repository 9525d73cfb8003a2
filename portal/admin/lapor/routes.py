"""The "Belum di LAPOR!" worklist and the LAPOR! number of staff-entered complaints.

Load → check access (Kominfo only) → act → render; one commit per request. The list filters by
kind (``?jenis=``); htmx swaps the list, a plain GET renders the page.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import orm

from portal.admin import bp
from portal.admin.lapor.forms import LinkForm, TickForm
from portal.complaints import lapor_sync
from portal.complaints.lapor_sync import LaporSyncItem, SyncKind
from portal.complaints.models import Complaint
from portal.complaints.operations import TransitionError
from portal.core.auth import get_complaint_or_404, get_or_404, role_required
from portal.core.render import htmx_redirect, render
from portal.extensions import db
from portal.people.models import Role

PAGE_SIZE = 50


@bp.app_template_global()
def lapor_pending_count() -> int:
    """The nav's count of pending "Belum di LAPOR!" items (a partial index keeps it cheap)."""
    return lapor_sync.pending_count()


def _kind(value: str | None) -> SyncKind | None:
    try:
        return SyncKind(value) if value else None
    except ValueError:
        abort(404)


@bp.get("/belum-lapor")
@role_required(Role.KOMINFO)
def lapor_worklist():
    """Every portal action SP4N-LAPOR! does not show yet, oldest first, with what to enter there."""
    kind = _kind(request.args.get("jenis"))
    q = (sa.select(LaporSyncItem).where(LaporSyncItem.resolution.is_(None))
         .options(orm.joinedload(LaporSyncItem.complaint).joinedload(Complaint.opd),
                  orm.joinedload(LaporSyncItem.followup), orm.joinedload(LaporSyncItem.expected_opd),
                  orm.joinedload(LaporSyncItem.actor))
         .order_by(LaporSyncItem.created_at, LaporSyncItem.id))
    if kind is not None:
        q = q.where(LaporSyncItem.kind == kind)
    page = db.paginate(q, per_page=PAGE_SIZE, error_out=False)
    counts = lapor_sync.counts_by_kind()
    return render("admin/lapor/worklist.html", partial="admin/lapor/_items.html", page=page, kind=kind,
                  kinds=list(SyncKind), counts=counts, total=sum(counts.values()), form=TickForm(),
                  instruction=lapor_sync.instruction)


@bp.post("/belum-lapor/<int:item_id>/tandai")
@role_required(Role.KOMINFO)
def lapor_tick(item_id: int):
    """Tick an item off by hand, with a note (recorded on the complaint)."""
    item = get_or_404(LaporSyncItem, item_id, opd_attr=None)
    form = TickForm()
    back = {"jenis": form.jenis.data} if form.jenis.data in {k.value for k in SyncKind} else {}
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Tulis catatan apa yang sudah dimasukkan ke SP4N-LAPOR!."), "error")
        return htmx_redirect("admin.lapor_worklist", **back)
    try:
        lapor_sync.tick_by_hand(item, current_user, form.note.data)
    except TransitionError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return htmx_redirect("admin.lapor_worklist", **back)
    db.session.commit()
    flash(_("Ditandai sudah di SP4N-LAPOR!: laporan #%(no)s.", no=item.complaint.tracking_no), "success")
    return htmx_redirect("admin.lapor_worklist", **back)


@bp.post("/laporan/<tracking_no>/nomor-lapor")
@role_required(Role.KOMINFO)
def lapor_link(tracking_no: str):
    """Record the LAPOR! number of a staff-entered complaint; the next import merges LAPOR!'s row."""
    c = get_complaint_or_404(tracking_no)
    form = LinkForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Isi nomor SP4N-LAPOR!."), "error")
        return htmx_redirect("admin.complaint", tracking_no=c.tracking_no)
    try:
        lapor_sync.link(c, form.lapor_no.data, current_user)
    except lapor_sync.LinkError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return htmx_redirect("admin.complaint", tracking_no=c.tracking_no)
    db.session.commit()
    flash(_("Nomor SP4N-LAPOR! %(n)s dicatat; impor berikutnya menggabungkan barisnya ke laporan ini.",
            n=form.lapor_no.data.strip()), "success")
    return htmx_redirect("admin.complaint", tracking_no=c.tracking_no)

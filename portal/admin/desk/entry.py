"""Counter entry at an OPD (docs/DOMAIN.md §13, "Pejabat Penghubung … menginput pengaduan yang diterima secara
langsung"): a liaison enters a complaint received at its own counter, by phone, letter, e-mail or SMS.

It is created by the same function as Kominfo's staff entry (:func:`portal.complaints.entry.create`):
status Belum Terverifikasi, no OPD, so it lands in Kominfo's verification queue like any new complaint
(marked there "Diinput di loket <OPD>"); the ``created`` event records the liaison and the OPD. The liaison
enters for its own OPD only (the one on its account) and afterwards sees just the receipt of what it
entered: the complaint belongs to the OPD's desk only once Kominfo dispatches it there.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import bp
from portal.admin.intake.forms import StaffEntryForm
from portal.complaints import entry
from portal.complaints.models import Complaint, ComplaintEvent
from portal.core.auth import role_required
from portal.core.db import utcnow
from portal.core.render import htmx_redirect, render
from portal.core.timeutil import WIB
from portal.extensions import db
from portal.people.models import Role


class CounterEntryForm(StaffEntryForm):
    """Kominfo's staff-entry form without what Kominfo decides at verification (category) or sends."""

    category = None
    send_receipt = None


@bp.route("/opd/laporan-baru", methods=["GET", "POST"])
@role_required(Role.OPD)
def opd_new():
    """Enter a complaint received at the OPD's own counter; it goes to Kominfo's verification queue."""
    opd = current_user.opd
    if opd is None:
        abort(403)
    form = CounterEntryForm()
    if request.method == "GET" and form.submitted_at.data is None:
        form.submitted_at.data = utcnow().astimezone(WIB).replace(tzinfo=None, second=0, microsecond=0)
    if not form.validate_on_submit():
        return render("admin/desk/new.html", form=form, opd=opd, status=422 if request.method == "POST" else 200)
    complaint = entry.create(form.to_new_complaint(opd=opd), current_user)
    number = complaint.tracking_no
    db.session.commit()
    flash(_("Laporan %(no)s tercatat dan diteruskan ke Diskominfo untuk diverifikasi.", no=number), "success")
    return htmx_redirect("admin.opd_new_receipt", tracking_no=number)


@bp.get("/opd/laporan-baru/<tracking_no>")
@role_required(Role.OPD)
def opd_new_receipt(tracking_no: str):
    """The receipt of a complaint this liaison entered (number, tracking link, QR code); 404 for any other."""
    complaint = db.session.scalar(
        sa.select(Complaint).join(ComplaintEvent, ComplaintEvent.complaint_id == Complaint.id)
        .where(Complaint.tracking_no == tracking_no, ComplaintEvent.kind == "created",
               ComplaintEvent.actor_id == current_user.id))
    if complaint is None:
        abort(404)
    return render("admin/desk/new_receipt.html", complaint=complaint, url=entry.tracking_url(complaint.tracking_no),
                  qr=entry.qr_svg_data_uri(complaint.tracking_no))

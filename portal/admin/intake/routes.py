"""Complaint intake: LAPOR! import upload (docs/INTERFACES.md §4) and staff entry.

Import: upload → a background dry run (preview: columns, first rows, counts, every error) →
confirm → a background import; both jobs report progress that the page polls (htmx, or a
``<noscript>`` refresh without JavaScript). Staff entry: a form, then a printable receipt with
the tracking number and a QR code to the public tracking page, optionally e-mailed.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import bp
from portal.admin.intake.forms import ActionForm, StaffEntryForm, UploadForm
from portal.complaints import entry, survey
from portal.complaints.importing import reading, runs
from portal.complaints.importing.writing import SIDES
from portal.complaints.models import Category, Complaint, ImportBatch
from portal.core import csvsafe, jobs
from portal.core.auth import get_complaint_or_404, get_or_404, role_required
from portal.core.db import utcnow
from portal.core.mail import queue_email
from portal.core.models import Job
from portal.core.render import htmx_redirect, render
from portal.core.timeutil import WIB
from portal.extensions import db
from portal.people.models import Role, User

HISTORY_SIZE = 50
BUSY = runs.BUSY


def _batch_or_404(batch_id: int) -> ImportBatch:
    return get_or_404(ImportBatch, batch_id, opd_attr=None)


# --- Import ------------------------------------------------------------------------------------------

@bp.get("/impor")
@role_required(Role.KOMINFO)
def intake_index():
    """Upload form and import history."""
    return _index(UploadForm())


def _index(form: UploadForm, status: int = 200) -> Response:
    runs.sweep_stale_batches()
    history = db.session.execute(
        sa.select(ImportBatch, User.name, User.email).outerjoin(User, ImportBatch.user_id == User.id)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(HISTORY_SIZE)
    ).all()
    first_of_hash: dict[str, int] = {}
    for batch, _name, _email in reversed(history):
        if batch.status == "done":
            first_of_hash.setdefault(batch.sha256, batch.id)
    return render("admin/intake/index.html", form=form, history=history, first_of_hash=first_of_hash,
                  status=status)


@bp.post("/impor")
@role_required(Role.KOMINFO)
def intake_upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, status=422)
    upload = form.file.data
    runs.remove_stale_uploads()
    token, sha, size = runs.store_upload(upload.stream)
    if size == 0:
        runs.discard_upload(token)
        form.file.errors = [_("File kosong.")]
        return _index(form, status=422)
    name = (upload.filename or "ekspor").replace("/", "_").replace("\\", "_")[-255:]
    batch = ImportBatch(user_id=current_user.id, filename=name, sha256=sha, status="checking", stored_name=token)
    db.session.add(batch)
    db.session.commit()
    batch_id = batch.id
    job = jobs.enqueue("import-preview", "portal.complaints.importing.runs.preview_job", batch_id,
                       user_id=current_user.id)
    batch = db.session.get(ImportBatch, batch_id)
    batch.job_id = job.id
    db.session.commit()
    return redirect(url_for("admin.intake_batch", batch_id=batch_id), code=303)


def _job_state(batch: ImportBatch) -> dict:
    """Progress of the batch's job: percent, rows seen, failed."""
    job = db.session.get(Job, batch.job_id) if batch.job_id else None
    percent, rows = 0, 0
    live = runs.LIVE_PROGRESS.get(batch.job_id or "")
    if live:
        done, total, rows = live
        percent = int(done * 100 / total) if total else 0
    elif job is not None:
        percent = job.percent
    return {"job": job, "percent": min(percent, 100), "rows": rows,
            "failed": job is not None and job.status == "failed"}


@bp.get("/impor/<int:batch_id>")
@role_required(Role.KOMINFO)
def intake_batch(batch_id: int):
    """One upload: progress, preview with confirmation, or the outcome."""
    batch = _batch_or_404(batch_id)
    if batch.status in BUSY and runs.sweep_stale_batches():
        db.session.refresh(batch)
    ctx: dict = {"batch": batch, "form": ActionForm(), "state": _job_state(batch)}
    if batch.status == "preview" and batch.stored_name:
        try:
            ctx["peek"] = reading.peek(runs.stored_path(batch.stored_name))
        except (OSError, reading.FileError, ValueError):
            ctx["peek"] = None
    if batch.status in ("preview", "invalid", "checking"):
        ctx["earlier"] = runs.previous_import(batch.sha256, exclude_id=batch.id)
    return render("admin/intake/batch.html", **ctx)


@bp.get("/impor/<int:batch_id>/status")
@role_required(Role.KOMINFO)
def intake_status(batch_id: int):
    """The progress fragment htmx polls; when the job is over, the page reloads."""
    batch = _batch_or_404(batch_id)
    if batch.status in BUSY and runs.sweep_stale_batches():
        db.session.refresh(batch)
    state = _job_state(batch)
    if batch.status not in BUSY or state["failed"]:
        return htmx_redirect("admin.intake_batch", batch_id=batch.id)
    return render("admin/intake/_progress.html", partial="admin/intake/_progress.html", batch=batch,
                  state=state)


@bp.post("/impor/<int:batch_id>/konfirmasi")
@role_required(Role.KOMINFO)
def intake_confirm(batch_id: int):
    batch = _batch_or_404(batch_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if batch.status in ("pending", "running", "done"):
        flash(_("Impor ini sudah dikonfirmasi; hanya satu impor yang dijalankan."), "warning")
        return htmx_redirect("admin.intake_batch", batch_id=batch.id)
    if batch.status != "preview" or not batch.stored_name or not runs.stored_path(batch.stored_name).exists():
        flash(_("Pratinjau ini tidak dapat dikonfirmasi lagi; unggah file kembali."), "error")
        return htmx_redirect("admin.intake_batch", batch_id=batch.id)
    if batch.new_categories and request.form.get("buat_kategori") != "1":
        # a file's new categories are permanent: created only when the person approves the list
        flash(_("Centang persetujuan pembuatan %(n)s kategori baru sebelum mengimpor, atau perbaiki "
                "kategori di file.", n=len(batch.new_categories)), "error")
        return htmx_redirect("admin.intake_batch", batch_id=batch.id)
    if batch.conflicts:
        batch.resolutions = _conflict_choices(batch)
        db.session.commit()
    refused = runs.claim_for_import(batch)
    if refused:
        flash(refused, "warning")
        return htmx_redirect("admin.intake_batch", batch_id=batch_id)
    job = jobs.enqueue("import", "portal.complaints.importing.runs.import_job", batch.id, user_id=current_user.id)
    batch = db.session.get(ImportBatch, batch_id)
    batch.job_id = job.id
    db.session.commit()
    return htmx_redirect("admin.intake_batch", batch_id=batch_id)


def _conflict_choices(batch: ImportBatch) -> dict:
    """Staff's side per conflicting row (``semua`` for all, else ``pilihan-<ID Laporan>``), with who and when.

    A row without a valid choice keeps the portal's values (the importer's default).
    """
    every = request.form.get("semua")
    at = utcnow().isoformat()
    out = {}
    for row in batch.conflicts:
        side = every if every in SIDES else request.form.get(f"pilihan-{row['id']}")
        if side in SIDES:
            out[row["id"]] = {"side": side, "by": current_user.id, "name": current_user.name or current_user.email,
                              "at": at}
    return out


@bp.post("/impor/<int:batch_id>/batal")
@role_required(Role.KOMINFO)
def intake_cancel(batch_id: int):
    batch = _batch_or_404(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if batch.status == "preview":
        runs.discard_upload(batch.stored_name)
        batch.stored_name = None
        batch.status = "cancelled"
        db.session.commit()
        flash(_("Impor dibatalkan; tidak ada data yang diubah."), "success")
    return htmx_redirect("admin.intake_index")


@bp.get("/impor/<int:batch_id>/kesalahan.csv")
@role_required(Role.KOMINFO)
def intake_errors_csv(batch_id: int):
    """Every row error of a batch, for correcting the file in a spreadsheet."""
    batch = _batch_or_404(batch_id)
    buf = io.StringIO()
    buf.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csvsafe.writer(buf)
    writer.writerow(["Baris", "ID Laporan", "Kesalahan"])
    for err in batch.error_report or []:
        writer.writerow([err.get("row"), err.get("id"), err.get("message")])
    resp = make_response(buf.getvalue())
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="kesalahan-impor-{batch.id}.csv"'
    return resp


# --- Staff entry -----------------------------------------------------------------------------------

def _category_choices() -> list[tuple[str | int, str]]:
    rows = db.session.execute(
        sa.select(Category.id, Category.path).where(Category.active.is_(True)).order_by(Category.path)).all()
    return [("", _("— belum ditentukan —")), *((r.id, r.path) for r in rows)]


@bp.route("/laporan-baru", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def intake_new():
    """Enter a complaint received at the desk, by phone, letter, e-mail or SMS."""
    form = StaffEntryForm()
    form.category.choices = _category_choices()
    if request.method == "GET" and form.submitted_at.data is None:
        from portal.core.db import utcnow

        form.submitted_at.data = utcnow().astimezone(WIB).replace(tzinfo=None, second=0, microsecond=0)
    if not form.validate_on_submit():
        return render("admin/intake/new.html", form=form, status=422 if request.method == "POST" else 200)
    data = form.to_new_complaint(db.session.get(Category, form.category.data) if form.category.data else None)
    complaint = entry.create(data, current_user)
    if form.send_receipt.data and complaint.reporter and complaint.reporter.email:
        _queue_receipt(complaint)
    number = complaint.tracking_no
    db.session.commit()
    flash(_("Laporan %(no)s tercatat.", no=number), "success")
    return htmx_redirect("admin.intake_receipt", tracking_no=number)


def _receipt_context(complaint: Complaint) -> dict:
    return {"complaint": complaint, "url": entry.tracking_url(complaint.tracking_no),
            "qr": entry.qr_svg_data_uri(complaint.tracking_no), "survey_code": survey.code_for(complaint)}


def _queue_receipt(complaint: Complaint) -> None:
    ctx = _receipt_context(complaint)
    queue_email(
        complaint.reporter.email,
        _("Tanda terima laporan %(no)s", no=complaint.tracking_no),
        render_template("admin/intake/receipt_email.txt", **ctx),
        kind="receipt",
        body_html=render_template("admin/intake/receipt_email.html", **ctx),
        attachments=[(f"qr-{complaint.tracking_no}.png", "image/png", entry.qr_png(complaint.tracking_no))],
    )


@bp.get("/laporan-baru/<tracking_no>/tanda-terima")
@role_required(Role.KOMINFO)
def intake_receipt(tracking_no: str):
    """The printable receipt (tanda terima) of a complaint entered by staff."""
    complaint = get_complaint_or_404(tracking_no)
    return render("admin/intake/receipt.html", form=ActionForm(), **_receipt_context(complaint))


@bp.post("/laporan-baru/<tracking_no>/kirim")
@role_required(Role.KOMINFO)
def intake_receipt_email(tracking_no: str):
    complaint = get_complaint_or_404(tracking_no)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not (complaint.reporter and complaint.reporter.email):
        flash(_("Pelapor tidak memiliki alamat email."), "error")
    else:
        _queue_receipt(complaint)
        db.session.commit()
        flash(_("Tanda terima dikirim ke email pelapor."), "success")
    return htmx_redirect("admin.intake_receipt", tracking_no=tracking_no)

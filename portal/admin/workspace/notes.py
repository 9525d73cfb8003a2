"""Note visibility: what the public would read of a note before staff publish it (docs/DOMAIN.md §6).

Notes are internal; the action forms carry an explicit switch (``public_note``). While it is on, the
form shows beneath it the note as the public timeline would print it — redacted by the same policy
(:func:`portal.complaints.redaction.redactor_for`) — refreshed by htmx as the note is typed. Without
JavaScript the staff member sees the published text on the complaint page's timeline after saving.
"""

from __future__ import annotations

from flask import abort, request
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from portal.admin import bp
from portal.admin.workspace.forms import ARCHIVE_REASONS
from portal.complaints.redaction import redactor_for
from portal.core.auth import get_complaint_or_404, role_required
from portal.core.render import render
from portal.people.models import Role


def note_text(action: str, form) -> str:
    """The note an action would record, composed as the action composes it."""
    if action in ("tunda", "teruskan"):
        return (form.get("reason") or "").strip()
    if action == "arsip":
        reason = str(dict(ARCHIVE_REASONS).get(form.get("reason") or "", ""))
        dup = (form.get("duplicate_of") or "").strip()
        if form.get("reason") == "duplikat" and dup:
            reason = f"{reason} #{dup}"
        note = (form.get("note") or "").strip()
        return f"{reason}: {note}" if note and reason else (note or reason)
    return (form.get("note") or "").strip()


@bp.post("/laporan/<tracking_no>/pratinjau-catatan/<action>")
@role_required(Role.KOMINFO)
def note_preview(tracking_no: str, action: str):
    """The fragment under the switch: the note as the public will read it (or that it stays internal)."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)
    c = get_complaint_or_404(tracking_no)
    text = note_text(action, request.form)
    public = request.form.get("public_note") in ("y", "on", "true", "1")
    shown = redactor_for(c)(text) if public and text and not c.is_confidential else None
    return render("admin/workspace/_note_preview.html", public=public, text=text, shown=shown, c=c)

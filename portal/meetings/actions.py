"""Agreed actions (rencana tindak lanjut): the meeting's list, the OPD's own list and progress updates.

``actions_for_opd`` is what the OPD pages show; the owning OPD's liaison (or Kominfo)
posts progress notes and status changes here.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import orm

from portal.core.auth import in_scope, role_required
from portal.core.htmx import wants_partial
from portal.core.render import htmx_redirect, render
from portal.extensions import db
from portal.meetings import bp
from portal.meetings import services as svc
from portal.meetings.forms import ActionForm, EmptyForm, ProgressForm
from portal.meetings.models import OPEN_ACTION_STATUSES, ActionItem, ActionStatus, Meeting
from portal.people.models import OPD, Role


def actions_for_opd(opd_ids: list[int]) -> list[ActionItem]:
    """Open and in-progress actions owned by these OPDs (the latest copy of carried-over ones),
    soonest due first."""
    if not opd_ids:
        return []
    q = (sa.select(ActionItem).join(Meeting, ActionItem.meeting_id == Meeting.id)
         .where(ActionItem.owner_opd_id.in_(list(opd_ids)), ActionItem.status.in_(OPEN_ACTION_STATUSES),
                ActionItem.carried_over_at.is_(None))
         .options(orm.selectinload(ActionItem.progress), orm.joinedload(ActionItem.meeting),
                  orm.joinedload(ActionItem.owner_opd))
         .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, Meeting.starts_at, ActionItem.id))
    return list(db.session.scalars(q).unique())


def may_update(user, action: ActionItem) -> bool:
    """Kominfo, or an OPD user whose scope holds the owning OPD."""
    if user.role == Role.KOMINFO:
        return True
    return user.role == Role.OPD and in_scope(user, action.owner_opd_id)


def _opd_choices() -> list[tuple[int | str, str]]:
    """The active OPDs after an empty placeholder: the owner is always chosen, never the first by default."""
    opds = db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name))
    return [("", _("— pilih OPD —")), *((o.id, o.name) for o in opds)]


@bp.route("/<int:meeting_id>/tindak-lanjut", methods=["GET", "POST"])
@role_required()
def meeting_actions(meeting_id: int):
    from portal.meetings.routes import load_meeting

    meeting = load_meeting(meeting_id)
    manage = svc.can_manage(current_user)
    form = ActionForm()
    form.owner_opd_id.choices = _opd_choices()
    status = 200
    if request.method == "POST":
        if not manage:
            abort(403)
        if form.validate_on_submit():
            owner = db.session.get(OPD, form.owner_opd_id.data) or abort(400)
            try:
                svc.check_due_date(meeting, form.due_date.data)
            except svc.MeetingError as exc:
                form.due_date.errors = [str(exc)]
            else:
                svc.add_action(meeting, form.title.data, owner, form.due_date.data, form.description.data)
                db.session.commit()
                flash(_("Tindak lanjut ditambahkan."), "success")
                return htmx_redirect("meetings.meeting_actions", meeting_id=meeting.id)
        status = 422
    items = svc.visible_actions(current_user, meeting.action_items)
    return render("meetings/actions.html", meeting=meeting, tab="tindak-lanjut", manage=manage, form=form,
                  items=items, progress_form=ProgressForm, may_update=may_update, empty=EmptyForm(),
                  status=status, ActionStatus=ActionStatus)


@bp.post("/<int:meeting_id>/tindak-lanjut/bawa")
@role_required(Role.KOMINFO)
def carry(meeting_id: int):
    from portal.meetings.routes import load_meeting

    meeting = load_meeting(meeting_id, manage=True)
    if EmptyForm().validate_on_submit():
        made = svc.carry_over(meeting)
        db.session.commit()
        flash(_("%(n)d tindak lanjut terbuka dibawa dari rakor sebelumnya.", n=len(made)), "success")
    return htmx_redirect("meetings.meeting_actions", meeting_id=meeting.id)


@bp.get("/tindak-lanjut")
@role_required()
def my_actions():
    """The signed-in OPD's open actions; Kominfo, pimpinan and ombudsman see every open one."""
    scope = current_user.opd_scope()
    if scope is None:
        ids = list(db.session.scalars(sa.select(OPD.id)))
    else:
        ids = scope
    items = actions_for_opd(ids)
    return render("meetings/my_actions.html", items=items, progress_form=ProgressForm, may_update=may_update,
                  ActionStatus=ActionStatus)


@bp.post("/tindak-lanjut/<int:action_id>")
@role_required(Role.OPD, Role.KOMINFO)
def update_action(action_id: int):
    """A progress note and/or status change by the owning OPD's liaison (or Kominfo)."""
    action = db.session.get(ActionItem, action_id)
    if action is None or not may_update(current_user, action):
        abort(404)
    form = ProgressForm(prefix=f"a{action.id}")
    status = 200
    if form.validate_on_submit():
        try:
            svc.update_action(action, current_user, form.note.data, ActionStatus(form.status.data))
        except svc.MeetingError as exc:
            form.note.errors = [str(exc)]
            status = 422
        else:
            db.session.commit()
            if not wants_partial():
                flash(_("Kemajuan tindak lanjut dicatat."), "success")
            form = ProgressForm(prefix=f"a{action.id}", formdata=None, data={"status": action.status.value})
    else:
        status = 422
    if wants_partial():
        return render("meetings/_action.html", a=action, form=form, may_update=may_update,
                      ActionStatus=ActionStatus, saved=status == 200, status=status)
    if status != 200:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    from portal.core.auth import safe_next

    return htmx_redirect(safe_next(request.form.get("next")) or "meetings.my_actions")

"""Rakor planning, invitations, attendance, minutes and actions (issue 7)."""

from __future__ import annotations

from portal.core.auth import role_required
from portal.core.render import render
from portal.meetings import bp


@bp.get("/")
@role_required()
def index():
    return render("meetings/index.html")

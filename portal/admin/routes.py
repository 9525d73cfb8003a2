"""Kominfo workspace (issue 4)."""

from __future__ import annotations

from portal.admin import bp
from portal.core.auth import role_required
from portal.core.models import Role
from portal.core.render import render


@bp.get("/")
@role_required(Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)
def index():
    return render("admin/index.html")

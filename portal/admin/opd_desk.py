"""OPD liaison pages (issue 5): strictly limited to the user's own OPD and its units."""

from __future__ import annotations

from flask_login import current_user

from portal.admin import bp
from portal.core.auth import role_required
from portal.core.models import Role
from portal.core.render import render


@bp.get("/opd")
@role_required(Role.OPD)
def opd_home():
    return render("admin/opd_home.html", opd=current_user.opd)

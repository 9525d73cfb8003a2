"""Institution settings (name, logo, letterhead): config defaults, overridden by the Setting table."""

from __future__ import annotations

from typing import Any

from flask import current_app, g

from portal.core.models import Setting
from portal.extensions import db

KEYS = ("INSTITUTION_NAME", "INSTITUTION_REGION", "INSTITUTION_LOGO", "INSTITUTION_ADDRESS", "INSTITUTION_CITY",
        "HEAD_OF_OFFICE_NAME", "HEAD_OF_OFFICE_NIP")


def site() -> dict[str, Any]:
    """The institution's settings for templates, loaded once per request."""
    if "portal_site" not in g:
        values = {k: current_app.config.get(k) for k in KEYS}
        try:
            for row in db.session.scalars(db.select(Setting).where(Setting.key.in_(KEYS))):
                values[row.key] = row.value
        except Exception:  # tables not yet created (before `db upgrade`)
            db.session.rollback()
        g.portal_site = {k.lower().removeprefix("institution_"): v for k, v in values.items()}
    return g.portal_site

"""Kominfo workspace and OPD liaison pages.

Route modules by area: ``routes`` (Kominfo workspace, queues, settings), ``opd_desk`` (OPD liaison
pages), ``intake`` (import and staff entry).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from portal.admin import intake, opd_desk, routes  # noqa: E402,F401

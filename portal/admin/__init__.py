"""Kominfo workspace and OPD liaison pages.

Route modules by area: ``routes`` (Kominfo workspace, queues, settings), ``opd_desk`` (OPD liaison
pages), ``intake`` (import and staff entry), ``apikeys`` (Open311 keys).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from portal.admin import apikeys, intake, notes, opd_desk, routes  # noqa: E402,F401

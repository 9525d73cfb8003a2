"""Rakor (coordination meetings): planning, invitations, attendance, minutes, actions, the report.

Route modules: ``routes`` (issue 7) and ``report_routes`` (the compiled report, issue 8).
"""

from flask import Blueprint

bp = Blueprint("meetings", __name__)

from portal.meetings import report_routes, routes  # noqa: E402,F401

"""Rakor (coordination meetings): planning, invitations, attendance, minutes, actions, the report.

Route modules: ``routes``, ``rsvp`` and ``actions`` (issue 7) and ``report_routes`` (the compiled
report, issue 8).
"""

from flask import Blueprint

bp = Blueprint("meetings", __name__)

from portal.meetings import actions, report_routes, routes, rsvp  # noqa: E402,F401

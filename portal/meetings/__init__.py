"""Rakor (coordination meetings): planning, invitations, attendance, minutes, actions, the report.

Route modules: ``routes``, ``rsvp`` and ``actions`` and ``report.routes`` (the compiled
report; docs/DOMAIN.md §10).
"""

from flask import Blueprint

bp = Blueprint("meetings", __name__)

# registration order as before the move
# isort: off
from portal.meetings import actions  # noqa: E402,F401
from portal.meetings.report import routes as report_routes  # noqa: E402,F401
from portal.meetings import routes, rsvp  # noqa: E402,F401
# isort: on
from portal.meetings.evaluation import routes as evaluation_routes  # noqa: E402,F401
from portal.meetings.report import indicator_routes, periodic_routes  # noqa: E402,F401

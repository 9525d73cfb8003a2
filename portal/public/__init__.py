"""Citizen-facing pages, open data, the JSON API and Open311.

Route modules: ``routes`` (dashboard, tracking, lists, open data, APIs — issue 6) and ``rakor``
(published rakor reports — issue 8).
"""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import rakor, routes  # noqa: E402,F401

"""Citizen-facing pages, open data, the JSON API and Open311.

Route modules: ``routes`` (dashboard, tracking, public list, one OPD, charts), ``opendata`` (CSV/JSON
downloads), ``api`` (JSON API), ``open311`` (GeoReport v2) — issue 6 — and ``rakor`` (published
rakor reports — issue 8).
"""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import api, open311, opendata, rakor, routes  # noqa: E402,F401

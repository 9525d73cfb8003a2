"""Citizen-facing pages, open data, the JSON API and Open311.

Route modules: ``routes`` (dashboard, tracking, public list, one OPD, charts), ``opendata`` (CSV/JSON
downloads), ``api`` (JSON API), ``open311`` (GeoReport v2) — docs/INTERFACES.md §5, §6 — and ``rakor``
(published rakor reports, docs/DOMAIN.md §10).
"""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import api, open311, opendata, rakor, routes, standard, survey  # noqa: E402,F401
from portal.public.limits import too_many_requests  # noqa: E402

bp.register_error_handler(429, too_many_requests)

"""Citizen-facing pages, open data, the JSON API and Open311."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import routes  # noqa: E402,F401

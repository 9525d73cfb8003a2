"""Sign-in, sign-out and the language switch."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import account, routes  # noqa: E402,F401

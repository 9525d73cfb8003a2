"""``report rakor MEETING_ID --out FILE.pdf`` (issue 8)."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the ``report`` commands to ``app.cli``."""

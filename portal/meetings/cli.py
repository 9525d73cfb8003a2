"""CLI commands of this module, registered by :func:`portal.cli.init_app`."""

from flask import Flask


def register(app: Flask) -> None:
    """Add this module's commands to ``app.cli``."""

"""CLI commands of the meetings module, registered by :func:`portal.cli.init_app`."""

from flask import Flask


def register(app: Flask) -> None:
    """Add ``meeting …`` (issue 7) and ``report …`` (issue 8) commands to ``app.cli``."""
    from portal.meetings import report_cli

    report_cli.register(app)

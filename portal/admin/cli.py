"""CLI commands of the Kominfo workspace: the daily job and the suggestion model.

``flask --app portal daily`` is meant for cron (e.g. ``5 6 * * *`` WIB). Its rules live in
:mod:`portal.complaints.daily`; it is idempotent: a second run on the same day changes and queues nothing new.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import AppGroup

from portal.complaints.daily import run_daily
from portal.core.timeutil import today_wib
from portal.extensions import db


@click.command("daily")
@click.option("--today", "today_s", default=None, help="Run as if today were YYYY-MM-DD (WIB).")
@click.option("--no-notify", is_flag=True, help="Do not queue digests and reminders.")
@click.option("--send", is_flag=True, help="Also send the outbox afterwards.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing.")
def daily(today_s: str | None, no_notify: bool, send: bool, dry_run: bool) -> None:
    """Close complaints finished by the 10-working-day rule, mark overdue ones, queue digests and reminders."""
    try:
        today = dt.date.fromisoformat(today_s) if today_s else today_wib()
    except ValueError as exc:
        raise click.BadParameter("--today must be YYYY-MM-DD") from exc
    result = run_daily(today, notify=not no_notify)
    if dry_run:
        db.session.rollback()
        click.echo(f"[dry run] {today}: would have {result.summary()}")
        return
    db.session.commit()
    click.echo(f"{today}: {result.summary()}")
    if send:
        from portal.core.mail import send_pending

        sent = send_pending()
        click.echo(f"outbox: sent {sent['sent']}, failed {sent['failed']}")
    _housekeeping()


def _housekeeping() -> None:
    """Last, and never failing the job: give bloated summary tables' space back (PostgreSQL), then write
    the full open-data files, so a download never waits for one (portal/public/exports.py)."""
    from flask import current_app

    from portal.complaints.summary import compact, describe_compacted
    from portal.public import exports

    db.session.commit()  # no transaction of ours may hold a lock the rewrite waits for
    steps = [("summary tables", "compaction", lambda: click.echo(f"summary tables: {describe_compacted(compact())}")),
             ("open data", "the export", lambda: exports.build_all(lambda line: click.echo(f"open data: {line}")))]
    for name, what, step in steps:
        try:
            step()
        except Exception:
            current_app.logger.exception("daily housekeeping: %s failed", name)
            click.echo(f"{name}: {what} failed (see the log); the daily job itself is done")


suggest_cli = AppGroup("suggest", help="Category and OPD suggestions (scikit-learn).")


@suggest_cli.command("train")
def suggest_train() -> None:
    """Retrain the suggestion model of this process and report its size."""
    from portal.complaints import suggest

    model = suggest.retrain()
    click.echo(f"trained on {model.samples} dispatched complaints "
               f"(category model: {'yes' if model.category else 'no'}, OPD model: {'yes' if model.opd else 'no'})")


@suggest_cli.command("try")
@click.argument("text")
def suggest_try(text: str) -> None:
    """Show the top-3 suggestions for TEXT."""
    from portal.complaints import suggest

    result = suggest.suggest(text)
    click.echo(f"source: {result['source']}")
    for kind in ("categories", "opds"):
        for s in result[kind]:
            click.echo(f"  {kind[:-1] if kind == 'opds' else 'category'}: {s.label} ({s.confidence:.0%})")


def register(app: Flask) -> None:
    """Add this module's commands to ``app.cli``."""
    app.cli.add_command(daily)
    app.cli.add_command(suggest_cli)

"""CLI commands of the meetings module, registered by :func:`portal.cli.init_app`.

``meeting create --title T --date YYYY-MM-DD [--from YYYY-MM-DD --to YYYY-MM-DD]`` (docs/INTERFACES.md §3)
prints the new meeting's id; ``meeting remind`` queues due reminders (run it daily from cron).
"""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from portal.extensions import db

meeting_cli = AppGroup("meeting", help="Rakor (coordination meetings).")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        _fail(f"{name} must be a date YYYY-MM-DD, got {value!r}")
    return None


@meeting_cli.command("create")
@click.option("--title", required=True, help="Title, e.g. 'Rakor Pengelolaan SP4N-LAPOR! Semester I 2025'.")
@click.option("--date", "day", required=True, help="Meeting day, YYYY-MM-DD.")
@click.option("--from", "period_from", default=None,
              help="Reporting period start (default: the last whole calendar semester before).")
@click.option("--to", "period_to", default=None, help="Reporting period end.")
def create(title: str, day: str, period_from: str | None, period_to: str | None) -> None:
    """Plan a rakor (default agenda, carry-over of open actions) and print its id."""
    from portal.meetings import services as svc

    meeting_day = _date(day, "--date")
    start, end = _date(period_from, "--from"), _date(period_to, "--to")
    if (start is None) != (end is None):
        _fail("give both --from and --to, or neither")
    if not title.strip():
        _fail("--title must not be empty")
    if len(title.strip()) > 300:
        _fail("--title is longer than 300 characters")
    try:
        meeting = svc.create_meeting(title=title, day=meeting_day, period_start=start, period_end=end)
    except svc.MeetingError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(meeting.id)


@meeting_cli.command("show")
@click.argument("meeting_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the stable form for other tools).")
def show(meeting_id: int, as_json: bool) -> None:
    """Print a meeting: id, title, date, reporting period and status."""
    import json

    from portal.meetings.models import Meeting

    m = db.session.get(Meeting, meeting_id)
    if m is None:
        _fail(f"no meeting with id {meeting_id}")
    data = {"id": m.id, "title": m.title, "date": m.date_wib.isoformat(),
            "period_from": m.period_start.isoformat(), "period_to": m.period_end.isoformat(),
            "status": m.status.value, "venue": m.venue}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        for key, value in data.items():
            click.echo(f"{key}: {value}")


@meeting_cli.command("remind")
@click.option("--meeting", "meeting_id", type=int, default=None, help="Only this meeting (now, whatever the day).")
@click.option("--all", "to_all", is_flag=True, help="Everyone invited (except who declined), not only the unanswered.")
def remind(meeting_id: int | None, to_all: bool) -> None:
    """Queue reminder e-mails for meetings whose reminder day has come (outbox)."""
    from portal.core.urls import offline_request_context
    from portal.meetings import services as svc
    from portal.meetings.models import Meeting

    with offline_request_context():
        if meeting_id is not None:
            m = db.session.get(Meeting, meeting_id)
            if m is None:
                _fail(f"no meeting {meeting_id}")
            meetings = [m]
        else:
            meetings = svc.due_for_reminder()
        total = 0
        for m in meetings:
            if meeting_id is None:
                # once per invitee when run daily
                targets = [i for i in svc.reminder_targets(m, not to_all) if i.reminded_at is None]
                for inv in targets:
                    from portal.meetings import documents

                    documents.queue_reminder_email(inv)
                    inv.reminded_at = svc.utcnow()
                n = len(targets)
            else:
                try:
                    n = svc.send_reminders(m, only_unanswered=not to_all)
                except svc.MeetingError as exc:
                    _fail(str(exc))
            click.echo(f"meeting {m.id}: {n} reminder(s) queued")
            total += n
        db.session.commit()
    click.echo(f"{total} reminder(s) queued")


def register(app: Flask) -> None:
    """Add the ``meeting …`` and ``report …`` commands (docs/INTERFACES.md §3) to ``app.cli``."""
    from portal.meetings.report import cli as report_cli

    app.cli.add_command(meeting_cli)
    report_cli.register(app)

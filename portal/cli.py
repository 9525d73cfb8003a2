"""Command-line interface (``flask --app portal …``), per docs/INTERFACES.md §3."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from portal.extensions import db
from portal.people import PeopleError
from portal.people.accounts import create_user, normalise_email
from portal.people.models import OPD, Role, User

opd_cli = AppGroup("opd", help="Manage OPDs (agencies and their units).")
user_cli = AppGroup("user", help="Manage staff accounts.")


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@opd_cli.command("create")
@click.option("--code", required=True, help="Short code, e.g. DINKES.")
@click.option("--name", required=True, help="Full name.")
@click.option("--parent", "parent_code", default=None, help="Code of the agency a unit belongs to.")
@click.option("--alias", "aliases", multiple=True, help="Another spelling (repeatable).")
def opd_create(code: str, name: str, parent_code: str | None, aliases: tuple[str, ...]) -> None:
    """Add an OPD (an agency, or a unit under one)."""
    code = code.strip().upper()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or len(code) > 32:
        fail("--code must be 1–32 letters, digits, '-' or '_'")
    if not name.strip():
        fail("--name must not be empty")
    if db.session.scalar(sa.select(OPD).where(sa.func.upper(OPD.code) == code)):
        fail(f"an OPD with code {code} already exists")
    parent = None
    if parent_code:
        parent = db.session.scalar(sa.select(OPD).where(sa.func.upper(OPD.code) == parent_code.upper()))
        if parent is None:
            fail(f"unknown parent OPD {parent_code}")
    opd = OPD(code=code, name=name.strip(), parent=parent, aliases=list(aliases), active=True)
    db.session.add(opd)
    db.session.commit()
    click.echo(f"Created OPD {opd.code} (id {opd.id})")


@user_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--opd", "opd_code", default=None, help="OPD code (required for role opd).")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email: str, role: str, opd_code: str | None, name: str, password_stdin: bool) -> None:
    """Add a staff account (:func:`portal.people.accounts.create_user`, as the settings page does)."""
    try:
        email = normalise_email(email)
    except PeopleError as exc:
        fail(f"invalid e-mail: {exc.detail}")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        fail(f"a user {email} already exists")
    opd = None
    if role == Role.OPD and not opd_code:
        fail("--opd is required for role opd")
    if opd_code:
        opd = db.session.scalar(sa.select(OPD).where(sa.func.upper(OPD.code) == opd_code.strip().upper()))
        if opd is None:
            fail(f"unknown OPD {opd_code}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = ""
    try:
        user = create_user(email, role, password, name=name, opd=opd)
    except PeopleError as exc:
        messages = {("opd", "not_allowed"): "--opd is only for role opd", ("opd", "required"): "--opd is required "
                    "for role opd", ("email", "taken"): f"a user {email} already exists"}
        if exc.field == "password":
            fail(f"password refused: {exc.detail} (give it with --password-stdin)")
        fail(messages.get((exc.field, exc.code), str(exc)))
    db.session.commit()
    click.echo(f"Created user {user.email} ({role})")


@click.command("demo-data")
@click.option("--complaints", "n", default=3000, show_default=True, type=click.IntRange(0, 5_000_000))
@click.option("--seed", default=1708, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has OPDs.")
def demo_data(n: int, seed: int, if_empty: bool) -> None:
    """Realistic synthetic OPDs, users, categories, complaints and meetings."""
    from portal import demo

    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(OPD)):
        click.echo("Database already has data; demo data not loaded.")
        return
    summary = demo.run(n_complaints=n, seed=seed, echo=click.echo)
    click.echo(summary)


outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


@outbox_cli.command("send")
@click.option("--limit", default=200, show_default=True)
def outbox_send(limit: int) -> None:
    """Send due e-mails (retried with back-off on SMTP failure)."""
    from portal.core.mail import send_pending

    result = send_pending(limit)
    click.echo(f"sent {result['sent']}, failed {result['failed']}")


def init_app(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
    app.cli.add_command(opd_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(demo_data)
    from portal.admin import cli as admin_cli
    from portal.complaints.importing import cli as complaints_cli
    from portal.meetings import cli as meetings_cli

    complaints_cli.register(app)
    admin_cli.register(app)
    meetings_cli.register(app)

"""CLI commands of this module, registered by :func:`portal.cli.init_app`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup


@click.command("import-lapor")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would happen; write nothing.")
@click.option("--create-categories/--no-create-categories", default=True, show_default=True,
              help="Create the file's categories that do not exist yet (listed in the output); with "
                   "--no-create-categories rows with such a category are errors.")
@click.option("--take-lapor", is_flag=True,
              help="Where LAPOR! disagrees with the portal's own later work on status or OPD (a conflict), "
                   "apply LAPOR!'s values; by default the portal's are kept. Conflicts are listed either way.")
def import_lapor(file: Path, dry_run: bool, create_categories: bool, take_lapor: bool) -> None:
    """Import a SP4N-LAPOR! export (CSV or XLSX).

    Prints the created/updated/unchanged counts and every category the file adds. When any row is
    invalid nothing is written, every row error is printed with its row number (the header is row 1)
    and ID Laporan, and the command exits with status 1. Conflicts with the portal's own work (see
    --take-lapor) are listed with the side applied; each is recorded as an event of the complaint.
    """
    from portal.complaints.importing import runs
    from portal.complaints.importing.writing import KEEP_PORTAL, TAKE_LAPOR
    from portal.complaints.models import ImportBatch
    from portal.extensions import db

    side = TAKE_LAPOR if take_lapor else KEEP_PORTAL
    sha = runs.sha256_file(file)
    earlier = runs.previous_import(sha)
    if earlier is not None:
        click.echo(f"note: the same file (sha256 {sha[:12]}…) was imported before, batch #{earlier.id} "
                   f"on {earlier.created_at:%Y-%m-%d %H:%M} UTC")
    if dry_run:
        result = runs.import_file(file, dry_run=True, default_side=side)
    else:
        batch = ImportBatch(filename=file.name[:255], sha256=sha, status="pending", user_id=None)
        db.session.add(batch)
        db.session.commit()
        result = runs.run_import(file, batch, create_categories=create_categories, default_side=side)
    prefix = "dry run (nothing written): would have " if dry_run else ""
    summary = (f"{prefix}created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
               f" ({result.rows} rows, {result.seconds:.1f} s)")
    if result.ok:
        click.echo(summary)
        if result.conflicts:
            applied = "LAPOR!'s values" if take_lapor else "the portal's values"
            verb = "would apply" if dry_run else "applied"
            click.echo(f"conflicts with the portal's own changes ({len(result.conflicts)}; {verb} {applied}, "
                       f"--take-lapor to change):")
            for c in result.conflicts:
                what = "; ".join(f"{k}: portal {v[0]} / LAPOR! {v[1]}" for k, v in c["fields"].items())
                click.echo(f"  ID Laporan {c['id']} ({c['complaint']}): {what}")
        if result.synced:
            click.echo(f"'Belum di LAPOR!' items now shown by LAPOR!: {result.synced}")
        if result.new_categories:
            verb = "would create" if dry_run else "created"
            click.echo(f"new categories ({verb} {len(result.new_categories)}):")
            for path in result.new_categories:
                click.echo(f"  {path}")
        return
    for err in result.errors:
        click.echo(f"row {err.row}, ID Laporan {err.id or '-'}: {err.message}")
    hidden = result.error_count - len(result.errors)
    if hidden:
        click.echo(f"… and {hidden} more errors")
    click.echo(f"{result.error_count} row error(s) in {result.rows} rows; nothing written.")
    if dry_run:
        click.echo(summary)
    sys.exit(1)


calendar_cli = AppGroup("calendar", help="The working-day calendar: coverage and stored due dates.")


@calendar_cli.command("check")
def calendar_check() -> None:
    """Print the holidays and cuti bersama known per year (last, this, next); non-zero exit on a gap."""
    from portal.core import workdays
    from portal.core.timeutil import today_wib

    today = today_wib()
    cal = workdays.get_calendar()
    click.echo(f"holidays {workdays.package_version()} (Indonesia, public + government), today {today}")
    for year in (today.year - 1, today.year, today.year + 1):
        cov = workdays.coverage(cal, year)
        click.echo(f"{year}: {len(cov['public'])} public holidays, {len(cov['cuti_bersama'])} cuti bersama days, "
                   f"{len(cov['overrides'])} overrides")
        for day, name in cov["public"]:
            click.echo(f"  libur nasional {day.isoformat()} {name}")
        for day, name in cov["cuti_bersama"]:
            click.echo(f"  cuti bersama   {day.isoformat()} {name}")
    problems = workdays.coverage_problems(cal, today)
    for _kind, year in problems:
        click.echo(f"WARNING: no cuti bersama known for {year}: upgrade the holidays package "
                   f"(pip install -U holidays) or add the decree's days as overrides", err=True)
    if problems:
        sys.exit(1)


@calendar_cli.command("recompute")
@click.option("--dry-run", is_flag=True, help="Count what would move; change nothing.")
def calendar_recompute(dry_run: bool) -> None:
    """Recompute stored due dates of open complaints after a calendar change; print how many moved."""
    from portal.complaints.recompute import recompute_due_dates
    from portal.extensions import db

    moved = recompute_due_dates(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo(f"[dry run] {moved} complaints would move")
        return
    db.session.commit()
    click.echo(f"{moved} complaints moved")


def register(app: Flask) -> None:
    """Add this module's commands to ``app.cli``."""
    app.cli.add_command(import_lapor)
    app.cli.add_command(calendar_cli)

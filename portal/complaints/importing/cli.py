"""CLI commands of this module, registered by :func:`portal.cli.init_app`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask


@click.command("import-lapor")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would happen; write nothing.")
def import_lapor(file: Path, dry_run: bool) -> None:
    """Import a SP4N-LAPOR! export (CSV or XLSX).

    Prints the created/updated/unchanged counts. When any row is invalid nothing is written,
    every row error is printed with its row number (the header is row 1) and ID Laporan, and
    the command exits with status 1.
    """
    from portal.complaints.importing import importer
    from portal.complaints.models import ImportBatch
    from portal.extensions import db

    sha = importer.sha256_file(file)
    earlier = importer.previous_import(sha)
    if earlier is not None:
        click.echo(f"note: the same file (sha256 {sha[:12]}…) was imported before, batch #{earlier.id} "
                   f"on {earlier.created_at:%Y-%m-%d %H:%M} UTC")
    if dry_run:
        result = importer.import_file(file, dry_run=True)
    else:
        batch = ImportBatch(filename=file.name[:255], sha256=sha, status="pending", user_id=None)
        db.session.add(batch)
        db.session.commit()
        result = importer.run_import(file, batch)
    prefix = "dry run (nothing written): would have " if dry_run else ""
    summary = (f"{prefix}created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
               f" ({result.rows} rows, {result.seconds:.1f} s)")
    if result.ok:
        click.echo(summary)
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


def register(app: Flask) -> None:
    """Add this module's commands to ``app.cli``."""
    app.cli.add_command(import_lapor)

"""``report rakor MEETING_ID --out FILE.pdf`` (issue 8)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from portal.extensions import db

report_cli = AppGroup("report", help="Compiled reports.")


@report_cli.command("rakor")
@click.argument("meeting_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF.")
def rakor(meeting_id: int, out: Path) -> None:
    """Compile the semiannual rakor report of MEETING_ID as a PDF.

    An approved or published report is written exactly as approved (frozen figures, the stored
    PDF); a draft is compiled from the current data.
    """
    from portal.meetings.models import Meeting
    from portal.meetings.report import operations as ops

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        click.echo(f"Error: no meeting with id {meeting_id} (see /rapat for the list)", err=True)
        sys.exit(1)
    if not out.parent.is_dir():
        click.echo(f"Error: directory {out.parent} does not exist", err=True)
        sys.exit(1)
    rep = ops.report_for(meeting)
    if rep is not None and rep.is_frozen:
        if rep.pdf is None:
            ops.store_pdf(rep, ops.render_pdf_bytes(meeting, rep, rep.figures))
            db.session.commit()
        data = rep.pdf
        state = f"{rep.status.value}, figures frozen, data hash {rep.data_hash[:12]}…"
    else:
        figures = ops.figures_for(meeting, rep, fresh=True)
        data = ops.render_pdf_bytes(meeting, rep, figures)
        state = "draft, compiled from current data"
    out.write_bytes(data)
    click.echo(f"Wrote {out} ({len(data) // 1024} KB; {state})")


def register(app: Flask) -> None:
    """Add the ``report`` commands to ``app.cli``."""
    app.cli.add_command(report_cli)

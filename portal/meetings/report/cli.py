"""``report rakor MEETING_ID --out FILE.pdf`` (docs/INTERFACES.md §3)."""

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


def _write_periodic(kind_value: str, year: int, quarter: int, out: Path) -> None:
    from portal.meetings.report import periodic
    from portal.meetings.report.models import PeriodicKind
    from portal.meetings.report.operations import ReportError

    kind = PeriodicKind(kind_value)
    if not out.parent.is_dir():
        click.echo(f"Error: directory {out.parent} does not exist", err=True)
        sys.exit(1)
    if kind == PeriodicKind.QUARTERLY and quarter not in (1, 2, 3, 4):
        click.echo("Error: --quarter must be 1, 2, 3 or 4", err=True)
        sys.exit(1)
    rep = periodic.find(kind, year, quarter)
    try:
        data = periodic.pdf_for(rep, kind, year, quarter)
    except ReportError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    state = (f"{rep.status.value}, figures frozen, data hash {rep.data_hash[:12]}…" if rep is not None
             and rep.is_frozen else "draft, compiled from current data")
    out.write_bytes(data)
    start, end = periodic.period_of(kind, year, quarter)
    click.echo(f"Wrote {out} ({len(data) // 1024} KB; {start.isoformat()}–{end.isoformat()}; {state})")


@report_cli.command("quarterly")
@click.option("--year", required=True, type=int)
@click.option("--quarter", required=True, type=int, help="Calendar quarter TW 1–4 (TW I is January–March).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def quarterly(year: int, quarter: int, out: Path) -> None:
    """Compile the quarterly report (Tabel 2) of calendar quarter TW QUARTER as a PDF."""
    _write_periodic("quarterly", year, quarter, out)


@report_cli.command("annual")
@click.option("--year", required=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def annual(year: int, out: Path) -> None:
    """Compile the annual evaluation (1 January–30 November, to the Inspektorat) as a PDF."""
    _write_periodic("annual", year, 0, out)


def _day(value: str, name: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        click.echo(f"Error: {name} must be a date YYYY-MM-DD, got {value!r}", err=True)
        sys.exit(1)


def opd_ids_for(code: str) -> list[int] | None:
    """The OPD with ``code`` and its units, or ``None`` when there is no such OPD."""
    import sqlalchemy as sa

    from portal.people.models import OPD

    opd = db.session.scalar(sa.select(OPD).where(sa.func.lower(OPD.code) == code.strip().lower()))
    if opd is None:
        return None
    ids, todo = [], [opd]
    while todo:
        cur = todo.pop()
        ids.append(cur.id)
        todo.extend(cur.units)
    return ids


@report_cli.command("indicators")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (Tanggal Laporan, WIB).")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD (inclusive).")
@click.option("--opd", "opd_code", default=None, help="Only this OPD (and its units).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON keyed by the roadmap numbering.")
def indicators(start: str, end: str, opd_code: str | None, as_json: bool) -> None:
    """The monitoring indicators (docs/DOMAIN.md §8) ("1.1" … "23") for a period."""
    import json

    from portal.complaints import indicators as ind

    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        click.echo("Error: --to is before --from", err=True)
        sys.exit(1)
    ids = None
    if opd_code:
        ids = opd_ids_for(opd_code)
        if ids is None:
            click.echo(f"Error: no OPD with code {opd_code!r}", err=True)
            sys.exit(1)
    values = ind.numbered(ind.monitoring(first, last, ids))
    if as_json:
        click.echo(json.dumps(values, ensure_ascii=False))
        return
    for key, label, _digits in ind.LABELS:
        click.echo(f"{key:>4}  {label}: {values[key] if values[key] is not None else '–'}")


def register(app: Flask) -> None:
    """Add the ``report`` commands to ``app.cli``."""
    app.cli.add_command(report_cli)

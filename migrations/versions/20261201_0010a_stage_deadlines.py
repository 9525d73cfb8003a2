"""stage deadlines: complaint.stage_due_date and its indexes

Revision ID: 0010a
Revises: 0010b
Create Date: 2026-12-01

Each stage has its own deadline (verification and forwarding 3 working days after submission,
the first follow-up 5 after dispatch, completion = ``due_date``). The queue's Rawan/Terlambat
tabs, its counts and the sort "tenggat terdekat" filter and order on it, so it is stored:

- ``ix_complaint_stage_due`` (status, stage_due_date INCLUDE returned_at): the tab counts;
- ``ix_complaint_queue`` carries stage_due_date too (index-only tabs);
- ``ix_complaint_queue_due``: open complaints in (stage_due_date, id) order for the sort.

Existing open complaints get their stage deadline computed with today's calendar (package +
overrides), in batches; closed ones keep NULL.
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0010a'
down_revision = '0010b'
branch_labels = None
depends_on = None

OPEN_SQL = "status IN ('belum_terverifikasi', 'belum_ditindaklanjuti', 'proses', 'tunda')"
OLD_INCLUDE = ["status", "due_date", "returned_at", "opd_id", "category_id", "channel", "type",
               "is_anonymous", "is_confidential"]
NEW_INCLUDE = ["status", "due_date", "stage_due_date", "returned_at", "opd_id", "category_id", "channel",
               "type", "is_anonymous", "is_confidential"]
BATCH = 5000


def _queue_index(include):
    op.create_index("ix_complaint_queue", "complaint", ["submitted_at", "id"], unique=False,
                    postgresql_include=include, postgresql_where=sa.text(OPEN_SQL),
                    sqlite_where=sa.text(OPEN_SQL))


def _as_utc(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _fill():
    from portal.complaints.models import Status
    from portal.complaints.operations import stage_due
    from portal.core.workdays import WorkCalendar

    bind = op.get_bind()
    overrides = {}
    for day, working in bind.execute(sa.text("SELECT date, is_working_day FROM holiday_override")):
        overrides[day if isinstance(day, dt.date) else dt.date.fromisoformat(day)] = bool(working)
    cal = WorkCalendar(overrides)
    last = 0
    while True:
        rows = bind.execute(sa.text(
            "SELECT id, status, submitted_at, dispatched_at, first_followup_at, returned_at, due_date "
            f"FROM complaint WHERE {OPEN_SQL} AND id > :last ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not rows:
            break
        params = []
        for r in rows:
            due = r.due_date if not isinstance(r.due_date, str) else dt.date.fromisoformat(r.due_date)
            stage = stage_due(Status(r.status), _as_utc(r.submitted_at), _as_utc(r.dispatched_at),
                              _as_utc(r.first_followup_at), _as_utc(r.returned_at), due, cal)
            if stage is not None:
                params.append({"id": r.id, "d": stage})
        if params:
            bind.execute(sa.text("UPDATE complaint SET stage_due_date = :d WHERE id = :id"), params)
        last = rows[-1].id


def upgrade():
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("stage_due_date", sa.Date(), nullable=True))
    _fill()
    op.create_index("ix_complaint_stage_due", "complaint", ["status", "stage_due_date"], unique=False,
                    postgresql_include=["returned_at"])
    op.create_index("ix_complaint_queue_due", "complaint", ["stage_due_date", "id"], unique=False,
                    postgresql_include=NEW_INCLUDE, postgresql_where=sa.text(OPEN_SQL),
                    sqlite_where=sa.text(OPEN_SQL))
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_complaint_queue", table_name="complaint")
        _queue_index(NEW_INCLUDE)


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_complaint_queue", table_name="complaint")
        _queue_index(OLD_INCLUDE)
    op.drop_index("ix_complaint_queue_due", table_name="complaint")
    op.drop_index("ix_complaint_stage_due", table_name="complaint")
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("stage_due_date")

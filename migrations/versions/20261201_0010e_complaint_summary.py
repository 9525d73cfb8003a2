"""complaint summary rows kept by triggers

Revision ID: 0010e
Revises: 0010a
Create Date: 2026-12-01

``complaint_summary`` holds counts and the sums behind RTL/RV/RHP per WIB day × OPD × status × channel ×
category (portal/complaints/summary.py). Triggers on ``complaint`` keep it in step with every write
(SQLite: row triggers; PostgreSQL: statement triggers with transition tables). The rows of the existing
complaints are computed here. The SQL is frozen as of this revision (summary.trigger_ddl() makes it).
"""
import sqlalchemy as sa
from alembic import op


revision = '0010e'
down_revision = '0010a'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    'DROP TRIGGER IF EXISTS complaint_summary_ins',
    'DROP TRIGGER IF EXISTS complaint_summary_del',
    'DROP TRIGGER IF EXISTS complaint_summary_upd',
    "CREATE TRIGGER complaint_summary_ins AFTER INSERT ON complaint BEGIN INSERT INTO complaint_summary (day, opd_id, status, channel, category_id, n, n_rtl, sum_rtl, n_rv, sum_rv, n_rhp, sum_rhp) VALUES (date(NEW.submitted_at, '+7 hours'), COALESCE(NEW.opd_id, 0), NEW.status, CASE WHEN (NEW.is_confidential OR NEW.status IN ('belum_terverifikasi') OR (NEW.status IN ('tunda', 'arsip') AND NEW.verified_at IS NULL AND NEW.dispatched_at IS NULL)) THEN '' ELSE COALESCE(NEW.channel, '') END, CASE WHEN (NEW.is_confidential OR NEW.status IN ('belum_terverifikasi') OR (NEW.status IN ('tunda', 'arsip') AND NEW.verified_at IS NULL AND NEW.dispatched_at IS NULL)) THEN 0 ELSE COALESCE(NEW.category_id, 0) END, 1, (NEW.first_followup_at IS NOT NULL), COALESCE(julianday(NEW.first_followup_at) - julianday(NEW.submitted_at), 0), (NEW.verified_at IS NOT NULL), COALESCE(julianday(NEW.verified_at) - julianday(NEW.submitted_at), 0), (NEW.rating IS NOT NULL), COALESCE(NEW.rating, 0)) ON CONFLICT (day, opd_id, status, channel, category_id) DO UPDATE SET n = n + excluded.n, n_rtl = n_rtl + excluded.n_rtl, sum_rtl = sum_rtl + excluded.sum_rtl, n_rv = n_rv + excluded.n_rv, sum_rv = sum_rv + excluded.sum_rv, n_rhp = n_rhp + excluded.n_rhp, sum_rhp = sum_rhp + excluded.sum_rhp; END",
    "CREATE TRIGGER complaint_summary_del AFTER DELETE ON complaint BEGIN UPDATE complaint_summary SET n = n - 1, n_rtl = n_rtl - (OLD.first_followup_at IS NOT NULL), sum_rtl = sum_rtl - COALESCE(julianday(OLD.first_followup_at) - julianday(OLD.submitted_at), 0), n_rv = n_rv - (OLD.verified_at IS NOT NULL), sum_rv = sum_rv - COALESCE(julianday(OLD.verified_at) - julianday(OLD.submitted_at), 0), n_rhp = n_rhp - (OLD.rating IS NOT NULL), sum_rhp = sum_rhp - COALESCE(OLD.rating, 0) WHERE day = date(OLD.submitted_at, '+7 hours') AND opd_id = COALESCE(OLD.opd_id, 0) AND status = OLD.status AND channel = CASE WHEN (OLD.is_confidential OR OLD.status IN ('belum_terverifikasi') OR (OLD.status IN ('tunda', 'arsip') AND OLD.verified_at IS NULL AND OLD.dispatched_at IS NULL)) THEN '' ELSE COALESCE(OLD.channel, '') END AND category_id = CASE WHEN (OLD.is_confidential OR OLD.status IN ('belum_terverifikasi') OR (OLD.status IN ('tunda', 'arsip') AND OLD.verified_at IS NULL AND OLD.dispatched_at IS NULL)) THEN 0 ELSE COALESCE(OLD.category_id, 0) END; END",
    "CREATE TRIGGER complaint_summary_upd AFTER UPDATE OF submitted_at, opd_id, status, channel, category_id, first_followup_at, verified_at, rating ON complaint BEGIN UPDATE complaint_summary SET n = n - 1, n_rtl = n_rtl - (OLD.first_followup_at IS NOT NULL), sum_rtl = sum_rtl - COALESCE(julianday(OLD.first_followup_at) - julianday(OLD.submitted_at), 0), n_rv = n_rv - (OLD.verified_at IS NOT NULL), sum_rv = sum_rv - COALESCE(julianday(OLD.verified_at) - julianday(OLD.submitted_at), 0), n_rhp = n_rhp - (OLD.rating IS NOT NULL), sum_rhp = sum_rhp - COALESCE(OLD.rating, 0) WHERE day = date(OLD.submitted_at, '+7 hours') AND opd_id = COALESCE(OLD.opd_id, 0) AND status = OLD.status AND channel = CASE WHEN (OLD.is_confidential OR OLD.status IN ('belum_terverifikasi') OR (OLD.status IN ('tunda', 'arsip') AND OLD.verified_at IS NULL AND OLD.dispatched_at IS NULL)) THEN '' ELSE COALESCE(OLD.channel, '') END AND category_id = CASE WHEN (OLD.is_confidential OR OLD.status IN ('belum_terverifikasi') OR (OLD.status IN ('tunda', 'arsip') AND OLD.verified_at IS NULL AND OLD.dispatched_at IS NULL)) THEN 0 ELSE COALESCE(OLD.category_id, 0) END; INSERT INTO complaint_summary (day, opd_id, status, channel, category_id, n, n_rtl, sum_rtl, n_rv, sum_rv, n_rhp, sum_rhp) VALUES (date(NEW.submitted_at, '+7 hours'), COALESCE(NEW.opd_id, 0), NEW.status, CASE WHEN (NEW.is_confidential OR NEW.status IN ('belum_terverifikasi') OR (NEW.status IN ('tunda', 'arsip') AND NEW.verified_at IS NULL AND NEW.dispatched_at IS NULL)) THEN '' ELSE COALESCE(NEW.channel, '') END, CASE WHEN (NEW.is_confidential OR NEW.status IN ('belum_terverifikasi') OR (NEW.status IN ('tunda', 'arsip') AND NEW.verified_at IS NULL AND NEW.dispatched_at IS NULL)) THEN 0 ELSE COALESCE(NEW.category_id, 0) END, 1, (NEW.first_followup_at IS NOT NULL), COALESCE(julianday(NEW.first_followup_at) - julianday(NEW.submitted_at), 0), (NEW.verified_at IS NOT NULL), COALESCE(julianday(NEW.verified_at) - julianday(NEW.submitted_at), 0), (NEW.rating IS NOT NULL), COALESCE(NEW.rating, 0)) ON CONFLICT (day, opd_id, status, channel, category_id) DO UPDATE SET n = n + excluded.n, n_rtl = n_rtl + excluded.n_rtl, sum_rtl = sum_rtl + excluded.sum_rtl, n_rv = n_rv + excluded.n_rv, sum_rv = sum_rv + excluded.sum_rv, n_rhp = n_rhp + excluded.n_rhp, sum_rhp = sum_rhp + excluded.sum_rhp; END",
]

PG_TRIGGERS = [
    "\nCREATE OR REPLACE FUNCTION complaint_summary_apply() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF TG_OP IN ('DELETE', 'UPDATE') THEN\n    INSERT INTO complaint_summary (day, opd_id, status, channel, category_id, n, n_rtl, sum_rtl, n_rv, sum_rv, n_rhp, sum_rhp) SELECT (submitted_at + interval '7 hours')::date, COALESCE(opd_id, 0), status::text, CASE WHEN (is_confidential OR status IN ('belum_terverifikasi') OR (status IN ('tunda', 'arsip') AND verified_at IS NULL AND dispatched_at IS NULL)) THEN '' ELSE COALESCE(channel::text, '') END, CASE WHEN (is_confidential OR status IN ('belum_terverifikasi') OR (status IN ('tunda', 'arsip') AND verified_at IS NULL AND dispatched_at IS NULL)) THEN 0 ELSE COALESCE(category_id, 0) END, -1 * count(*), -1 * count(first_followup_at), -1 * COALESCE(sum(EXTRACT(EPOCH FROM (first_followup_at - submitted_at)) / 86400.0), 0), -1 * count(verified_at), -1 * COALESCE(sum(EXTRACT(EPOCH FROM (verified_at - submitted_at)) / 86400.0), 0), -1 * count(rating), -1 * COALESCE(sum(rating), 0) FROM old_rows GROUP BY 1, 2, 3, 4, 5 ON CONFLICT (day, opd_id, status, channel, category_id) DO UPDATE SET n = complaint_summary.n + excluded.n, n_rtl = complaint_summary.n_rtl + excluded.n_rtl, sum_rtl = complaint_summary.sum_rtl + excluded.sum_rtl, n_rv = complaint_summary.n_rv + excluded.n_rv, sum_rv = complaint_summary.sum_rv + excluded.sum_rv, n_rhp = complaint_summary.n_rhp + excluded.n_rhp, sum_rhp = complaint_summary.sum_rhp + excluded.sum_rhp;\n  END IF;\n  IF TG_OP IN ('INSERT', 'UPDATE') THEN\n    INSERT INTO complaint_summary (day, opd_id, status, channel, category_id, n, n_rtl, sum_rtl, n_rv, sum_rv, n_rhp, sum_rhp) SELECT (submitted_at + interval '7 hours')::date, COALESCE(opd_id, 0), status::text, CASE WHEN (is_confidential OR status IN ('belum_terverifikasi') OR (status IN ('tunda', 'arsip') AND verified_at IS NULL AND dispatched_at IS NULL)) THEN '' ELSE COALESCE(channel::text, '') END, CASE WHEN (is_confidential OR status IN ('belum_terverifikasi') OR (status IN ('tunda', 'arsip') AND verified_at IS NULL AND dispatched_at IS NULL)) THEN 0 ELSE COALESCE(category_id, 0) END, 1 * count(*), 1 * count(first_followup_at), 1 * COALESCE(sum(EXTRACT(EPOCH FROM (first_followup_at - submitted_at)) / 86400.0), 0), 1 * count(verified_at), 1 * COALESCE(sum(EXTRACT(EPOCH FROM (verified_at - submitted_at)) / 86400.0), 0), 1 * count(rating), 1 * COALESCE(sum(rating), 0) FROM new_rows GROUP BY 1, 2, 3, 4, 5 ON CONFLICT (day, opd_id, status, channel, category_id) DO UPDATE SET n = complaint_summary.n + excluded.n, n_rtl = complaint_summary.n_rtl + excluded.n_rtl, sum_rtl = complaint_summary.sum_rtl + excluded.sum_rtl, n_rv = complaint_summary.n_rv + excluded.n_rv, sum_rv = complaint_summary.sum_rv + excluded.sum_rv, n_rhp = complaint_summary.n_rhp + excluded.n_rhp, sum_rhp = complaint_summary.sum_rhp + excluded.sum_rhp;\n  END IF;\n  RETURN NULL;\nEND $$",
    'DROP TRIGGER IF EXISTS complaint_summary_ins ON complaint',
    'DROP TRIGGER IF EXISTS complaint_summary_del ON complaint',
    'DROP TRIGGER IF EXISTS complaint_summary_upd ON complaint',
    'CREATE TRIGGER complaint_summary_ins AFTER INSERT ON complaint REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_summary_apply()',
    'CREATE TRIGGER complaint_summary_del AFTER DELETE ON complaint REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_summary_apply()',
    'CREATE TRIGGER complaint_summary_upd AFTER UPDATE ON complaint REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_summary_apply()',
]

SQLITE_REBUILD = "INSERT INTO complaint_summary (day, opd_id, status, channel, category_id, n, n_rtl, sum_rtl, n_rv, sum_rv, n_rhp, sum_rhp) SELECT date(c.submitted_at, '+7 hours'), COALESCE(c.opd_id, 0), c.status, CASE WHEN (c.is_confidential OR c.status IN ('belum_terverifikasi') OR (c.status IN ('tunda', 'arsip') AND c.verified_at IS NULL AND c.dispatched_at IS NULL)) THEN '' ELSE COALESCE(c.channel, '') END, CASE WHEN (c.is_confidential OR c.status IN ('belum_terverifikasi') OR (c.status IN ('tunda', 'arsip') AND c.verified_at IS NULL AND c.dispatched_at IS NULL)) THEN 0 ELSE COALESCE(c.category_id, 0) END, sum(1), sum((c.first_followup_at IS NOT NULL)), sum(COALESCE(julianday(c.first_followup_at) - julianday(c.submitted_at), 0)), sum((c.verified_at IS NOT NULL)), sum(COALESCE(julianday(c.verified_at) - julianday(c.submitted_at), 0)), sum((c.rating IS NOT NULL)), sum(COALESCE(c.rating, 0)) FROM complaint c GROUP BY 1, 2, 3, 4, 5"

PG_REBUILD = "INSERT INTO complaint_summary (day, opd_id, status, channel, category_id, n, n_rtl, sum_rtl, n_rv, sum_rv, n_rhp, sum_rhp) SELECT (submitted_at + interval '7 hours')::date, COALESCE(opd_id, 0), status::text, CASE WHEN (is_confidential OR status IN ('belum_terverifikasi') OR (status IN ('tunda', 'arsip') AND verified_at IS NULL AND dispatched_at IS NULL)) THEN '' ELSE COALESCE(channel::text, '') END, CASE WHEN (is_confidential OR status IN ('belum_terverifikasi') OR (status IN ('tunda', 'arsip') AND verified_at IS NULL AND dispatched_at IS NULL)) THEN 0 ELSE COALESCE(category_id, 0) END, 1 * count(*), 1 * count(first_followup_at), 1 * COALESCE(sum(EXTRACT(EPOCH FROM (first_followup_at - submitted_at)) / 86400.0), 0), 1 * count(verified_at), 1 * COALESCE(sum(EXTRACT(EPOCH FROM (verified_at - submitted_at)) / 86400.0), 0), 1 * count(rating), 1 * COALESCE(sum(rating), 0) FROM complaint GROUP BY 1, 2, 3, 4, 5"


def upgrade():
    op.create_table(
        "complaint_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_rtl", sa.Integer(), nullable=False),
        sa.Column("sum_rtl", sa.Float(), nullable=False),
        sa.Column("n_rv", sa.Integer(), nullable=False),
        sa.Column("sum_rv", sa.Float(), nullable=False),
        sa.Column("n_rhp", sa.Integer(), nullable=False),
        sa.Column("sum_rhp", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_summary")),
        sa.UniqueConstraint("day", "opd_id", "status", "channel", "category_id", name="uq_complaint_summary_key"),
    )
    op.create_index("ix_complaint_summary_opd_day", "complaint_summary", ["opd_id", "day"], unique=False)
    pg = op.get_context().dialect.name == "postgresql"
    for stmt in PG_TRIGGERS if pg else SQLITE_TRIGGERS:
        op.execute(stmt)
    op.execute(PG_REBUILD if pg else SQLITE_REBUILD)


def downgrade():
    pg = op.get_context().dialect.name == "postgresql"
    for name in ("complaint_summary_ins", "complaint_summary_del", "complaint_summary_upd"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON complaint" if pg else ""))
    if pg:
        op.execute("DROP FUNCTION IF EXISTS complaint_summary_apply()")
    op.drop_index("ix_complaint_summary_opd_day", table_name="complaint_summary")
    op.drop_table("complaint_summary")

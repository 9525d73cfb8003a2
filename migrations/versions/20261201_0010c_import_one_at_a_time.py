"""import batches: one import of a file at a time; stuck batches marked failed

Revision ID: 0010c
Revises: 0009
Create Date: 2026-12-01

Web XLSX uploads used to leave their batch "checking" forever, and a batch whose worker crashed
stayed "running". Such batches are marked failed with a reason. A partial unique index on
``sha256`` over pending/running batches then keeps two imports of the same file from running at once
(only the newest of duplicated busy batches stays busy).
"""
import sqlalchemy as sa
from alembic import op


revision = '0010c'
down_revision = '0009'
branch_labels = None
depends_on = None

BUSY = "status IN ('pending', 'running')"


def upgrade():
    conn = op.get_bind()
    reason = [{"row": None, "id": "", "message": "Pemrosesan tidak selesai; unggah ulang file."}]
    r = sa.bindparam("r", value=reason, type_=sa.JSON)
    # batches whose job already ended (failed or done) without recording them
    conn.execute(sa.text(
        "UPDATE import_batch SET status = 'failed', error_report = :r, errors = 1, finished_at = CURRENT_TIMESTAMP "
        "WHERE status IN ('checking', 'pending', 'running') AND (job_id IS NULL OR job_id IN "
        "(SELECT id FROM job WHERE status IN ('failed', 'done')))").bindparams(r))
    # duplicated busy batches of one file: keep the newest
    conn.execute(sa.text(
        f"UPDATE import_batch SET status = 'failed', error_report = :r, errors = 1, "
        f"finished_at = CURRENT_TIMESTAMP WHERE {BUSY} AND id < "
        f"(SELECT MAX(b.id) FROM import_batch b WHERE b.sha256 = import_batch.sha256 AND b.{BUSY})"
    ).bindparams(r))
    op.create_index("uq_import_batch_busy_sha256", "import_batch", ["sha256"], unique=True,
                    sqlite_where=sa.text(BUSY), postgresql_where=sa.text(BUSY))


def downgrade():
    op.drop_index("uq_import_batch_busy_sha256", table_name="import_batch")

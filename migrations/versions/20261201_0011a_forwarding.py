"""forwarding out (no wrong door): the instansi list and the Diteruskan status

Revision ID: 0011a
Revises: 0011e
Create Date: 2026-12-01

- ``instansi``: bodies outside the province's OPDs that complaints are forwarded to, seeded with
  Banten's eight regencies and cities, the national admin, the regional Ombudsman and the common
  vertical agencies (maintained under Pengaturan → Instansi penerusan).
- ``complaint.forwarded_to_id`` / ``forwarded_at``: where and when a complaint with the new status
  ``diteruskan`` went. The status column is a plain string (non-native enum), so the new value needs
  no DDL. Existing "Di luar kewenangan" archives stay Arsip: their history is kept as it was.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '0011a'
down_revision = '0011e'
branch_labels = None
depends_on = None

DEFAULTS = (
    ("Kabupaten Pandeglang", "kabupaten_kota"),
    ("Kabupaten Lebak", "kabupaten_kota"),
    ("Kabupaten Tangerang", "kabupaten_kota"),
    ("Kabupaten Serang", "kabupaten_kota"),
    ("Kota Tangerang", "kabupaten_kota"),
    ("Kota Cilegon", "kabupaten_kota"),
    ("Kota Serang", "kabupaten_kota"),
    ("Kota Tangerang Selatan", "kabupaten_kota"),
    ("Admin Nasional SP4N-LAPOR! (KemenPANRB)", "nasional"),
    ("Ombudsman RI Perwakilan Banten", "ombudsman"),
    ("BPN / Kantor Pertanahan", "vertikal"),
    ("Kepolisian Daerah Banten", "vertikal"),
    ("PLN UID Banten", "bumn"),
    ("BPJS Kesehatan", "bumn"),
    ("BPJS Ketenagakerjaan", "bumn"),
    ("Kementerian Agama Kanwil Banten", "vertikal"),
    ("Balai Besar Pelaksanaan Jalan Nasional", "vertikal"),
)


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _sqlite_triggers_off() -> None:
    """SQLite's batch mode rebuilds ``complaint``: triggers on ``reporter`` that read it would fail, and
    the ones on ``complaint`` would be dropped with the old table (an earlier batch, 0010f, lost them)."""
    if _sqlite():
        for name in ("reporter_more_ins", "reporter_more_bupd", "reporter_more_aupd", "reporter_more_del"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _sqlite_triggers_on() -> None:
    """Every summary trigger back as the code defines it, and the summary rows recomputed."""
    if _sqlite():
        from sqlalchemy import orm

        from portal.complaints import summary

        conn = op.get_bind()
        summary.install_triggers(conn)
        summary.rebuild(orm.Session(bind=conn))


def upgrade():
    instansi = op.create_table('instansi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instansi')),
    sa.UniqueConstraint('name', name=op.f('uq_instansi_name'))
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    op.bulk_insert(instansi, [{"name": n, "kind": k, "active": True, "created_at": now} for n, k in DEFAULTS])
    _sqlite_triggers_off()
    with op.batch_alter_table('complaint') as batch:
        batch.add_column(sa.Column('forwarded_to_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('forwarded_at', sa.DateTime(), nullable=True))
        batch.create_foreign_key(op.f('fk_complaint_forwarded_to_id_instansi'), 'instansi', ['forwarded_to_id'],
                                 ['id'])
    _sqlite_triggers_on()


def downgrade():
    op.execute("UPDATE complaint SET status = 'arsip' WHERE status = 'diteruskan'")
    _sqlite_triggers_off()
    with op.batch_alter_table('complaint') as batch:
        batch.drop_constraint(op.f('fk_complaint_forwarded_to_id_instansi'), type_='foreignkey')
        batch.drop_column('forwarded_at')
        batch.drop_column('forwarded_to_id')
    _sqlite_triggers_on()
    op.drop_table('instansi')

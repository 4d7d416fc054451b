"""Indexes of the appointments area: reschedules per appointment, series order, the stats report.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = (
    ("appointment_modifications", "ix_appointment_modifications_appointment_type",
     ["appointment_id", "modification_type"]),
    ("appointments", "ix_appointments_series_starts", ["company_id", "recurring_series_id", "starts_at"]),
    ("appointment_modification_stats", "ix_appointment_modification_stats_report",
     ["company_id", "stat_type", "count"]),
)


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)

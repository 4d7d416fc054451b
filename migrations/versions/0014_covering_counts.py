"""Indexes that answer the dashboard's counts by themselves.

"Appointments today" counted the day's appointments that are not cancelled from
(company_id, starts_at), then read every one of those rows for its status; (company_id, status,
starts_at) counts them, one status at a time, from the index alone. (The status cannot go at
the end of the list's index: the list reads it in (starts_at, id) order.) "Failed in the last 24 hours" filters on the
time of a delivery's last attempt (updated_at), which no index held: MariaDB read every failed
delivery the company ever had — a number that grows with the years. (company_id, status,
updated_at) reads only the last day's.

Revision ID: 0014_covering_counts
Revises: 0013_stat_totals
"""
from alembic import op

revision = "0014_covering_counts"
down_revision = "0013_stat_totals"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appointments") as batch_op:
        batch_op.create_index("ix_appointments_company_status_starts", ["company_id", "status", "starts_at"])
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.create_index("ix_deliveries_company_status_updated", ["company_id", "status", "updated_at"])


def downgrade():
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_index("ix_deliveries_company_status_updated")
    with op.batch_alter_table("appointments") as batch_op:
        batch_op.drop_index("ix_appointments_company_status_starts")

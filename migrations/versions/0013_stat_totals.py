"""The company totals of the stats report, kept by `flask stats refresh`.

The report's totals (modifications of each kind in the last 30 and 90 days, as of the last
refresh) were added up from modification_totals on every view: a row per branch, day or month,
type, policy and fee flag — about 10,000 rows per window for a chain of 94 branches. The refresh
now writes the four sums per company here, and the report reads them by primary key. The rows
are filled from the current snapshot (the sum of the customers' rows is the same number).

Revision ID: 0013_stat_totals
Revises: 0012_closed_totals
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_stat_totals"
down_revision = "0012_closed_totals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appointment_modification_stat_totals",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("stat_type", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("calculated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_appointment_modification_stat_totals_company_id_companies"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", "stat_type", name=op.f("pk_appointment_modification_stat_totals")),
    )
    op.execute("""INSERT INTO appointment_modification_stat_totals (company_id, stat_type, count, calculated_at)
        SELECT company_id, stat_type, SUM(count), MAX(calculated_at) FROM appointment_modification_stats
        GROUP BY company_id, stat_type""")


def downgrade():
    op.drop_table("appointment_modification_stat_totals")

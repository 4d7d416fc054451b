"""Notification delivery: the outbox (deliveries), its attempts, and each company's email sender.

Revision ID: 0010_delivery
Revises: 0008_scale
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_delivery"
down_revision = "0009_api"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_sender", sa.String(length=255), nullable=True))
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fire_at", sa.DateTime(), nullable=False),
        sa.Column("node_path", sa.String(length=200), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("resend_of_id", sa.Integer(), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=255), nullable=True),
        sa.Column("recipient_phone", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("dedupe_key", sa.String(length=80), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_deliveries_appointment_id_appointments")),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"], name=op.f("fk_deliveries_branch_id_branches")),
        sa.ForeignKeyConstraint(["callback_id"], ["callback_requests.id"],
                                name=op.f("fk_deliveries_callback_id_callback_requests")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_deliveries_company_id_companies"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_deliveries_customer_id_customers")),
        sa.ForeignKeyConstraint(["resend_of_id"], ["deliveries.id"],
                                name=op.f("fk_deliveries_resend_of_id_deliveries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("company_id", "dedupe_key", name="uq_deliveries_company_dedupe_key"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_company_created", ["company_id", "created_at"], unique=False)
        batch_op.create_index("ix_deliveries_company_status_created", ["company_id", "status", "created_at"],
                              unique=False)
        batch_op.create_index("ix_deliveries_company_branch_created", ["company_id", "branch_id", "created_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_callback_id"), ["callback_id"], unique=False)
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(length=120), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_delivery_attempts_company_id_companies"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"],
                                name=op.f("fk_delivery_attempts_delivery_id_deliveries"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempts")),
    )
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_attempts_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_delivery_attempts_company_status_finished",
                              ["company_id", "status", "finished_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_attempts_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_attempts_delivery_id"), ["delivery_id"], unique=False)


def downgrade():
    op.drop_table("delivery_attempts")
    op.drop_table("deliveries")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_column("email_sender")

"""Accounts: one row per signed-in session, TOTP columns, recovery codes, the security event log.

Existing sessions (cookies that carried users.session_token) are not carried over: everyone
signs in again once after the upgrade, and again after a downgrade.

Revision ID: 0006_accounts
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_accounts"
down_revision = "0005"
branch_labels = None
depends_on = None

USER_COLUMNS = (
    ("password_changed_at", sa.DateTime), ("totp_secret", lambda: sa.String(length=64)),
    ("totp_enabled_at", sa.DateTime), ("totp_last_step", sa.Integer),
)


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name, column_type in USER_COLUMNS:
            batch_op.add_column(sa.Column(name, column_type(), nullable=True))

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("authenticated_at", sa.DateTime(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_user_sessions_user_ended", ["user_id", "ended_at"], unique=False)

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_security_events_company_id_companies"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_security_events_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.create_index("ix_security_events_company_time", ["company_id", "created_at"], unique=False)
        batch_op.create_index("ix_security_events_company_kind_time", ["company_id", "kind", "created_at"],
                              unique=False)
        batch_op.create_index("ix_security_events_user_time", ["user_id", "created_at"], unique=False)


def downgrade():
    op.drop_table("security_events")
    op.drop_table("recovery_codes")
    op.drop_table("user_sessions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name, _ in reversed(USER_COLUMNS):
            batch_op.drop_column(name)

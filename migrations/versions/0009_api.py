"""Integration API: token scopes and the answers kept for Idempotency-Key retries.

- api_tokens.scopes: space-separated scopes; every existing token gets callbacks:write, the one
  thing tokens could do before (the intake endpoint).
- api_idempotency_keys: per token, the key a client sent with a write, the hash of its request and
  the answer given, so a retried request is answered the same without writing twice.

Revision ID: 0009_api
Revises: 0008_scale
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_api"
down_revision = "0008_scale"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column(
                "scopes", sa.String(length=255), server_default=sa.text("'callbacks:write'"), nullable=False
            )
        )
    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_api_idempotency_keys_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_api_idempotency_keys_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_keys")),
        sa.UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_id_key"),
    )
    op.create_index(op.f("ix_api_idempotency_keys_company_id"), "api_idempotency_keys", ["company_id"])


def downgrade():
    op.drop_table("api_idempotency_keys")  # with its indexes (MariaDB refuses to drop one a foreign key uses)
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scopes")

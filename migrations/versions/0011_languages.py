"""Languages: each user's own choice of the portal's language.

- users.language: "de" or "en", or NULL to follow the company's default_language.

Revision ID: 0011_languages
Revises: 0008_scale
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_languages"
down_revision = "0010_delivery"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=True))
        batch_op.create_check_constraint(op.f("ck_users_language_known"), "language IN ('de', 'en')")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_language_known"), type_="check")
        batch_op.drop_column("language")

"""Organisation: external ids, active flags and versions, languages and consents, one-time links.

- branches, services, staff, customers, appointments: `external_id` (the booking system's id),
  unique per company and table; NULLs never collide, so records without one pile up freely.
- branches, services: `is_active` (deactivated, never deleted) and `version` (stale edits are
  refused); staff: `version`, and `branch_id` becomes optional (company-wide staff such as the
  support team have no home branch); branches: an optional `timezone` of their own.
- companies: `default_language` (de/en, notifications later) and `version` (settings editor).
- customers: `language` (de/en or none: the company's) and `consents` per channel.
- users: `is_active`.
- password_links: single-use, short-lived links for a first password or a reset, stored as
  SHA-256 hashes of their tokens.

Revision ID: 0007
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None

EXTERNAL_ID_TABLES = ("branches", "services", "staff", "customers", "appointments")


def _add_external_id(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(f"uq_{table}_company_external_id", ["company_id", "external_id"])


def _active_and_version(table: str, active: bool = True) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        if active:
            batch_op.add_column(sa.Column("is_active", sa.Boolean(), nullable=False,
                                          server_default=sa.true()))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def upgrade():
    for table in EXTERNAL_ID_TABLES:
        _add_external_id(table)
    _active_and_version("branches")
    _active_and_version("services")
    _active_and_version("staff", active=False)
    _active_and_version("companies", active=False)
    with op.batch_alter_table("branches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.alter_column("branch_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_language", sa.String(length=2), nullable=False,
                                      server_default="de"))
        batch_op.create_check_constraint(op.f("ck_companies_default_language_known"),
                                         "default_language IN ('de', 'en')")
    _upgrade_customers()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()))
    _create_password_links()


def _upgrade_customers() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("consents", sa.JSON(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_customers_language_known"), "language IN ('de', 'en')")
    # No consent was ever recorded before this revision: every customer starts with none asked.
    op.execute("UPDATE customers SET consents = '{}'")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.alter_column("consents", existing_type=sa.JSON(), nullable=False)


def _create_password_links() -> None:
    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('welcome', 'reset')", name=op.f("ck_password_links_purpose_known")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_password_links_company_id_companies"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_password_links_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_password_links_created_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_links_token_hash")),
    )
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_links_company_id"), ["company_id"], unique=False)
        batch_op.create_index("ix_password_links_user", ["user_id", "used_at"], unique=False)


def downgrade():
    op.drop_table("password_links")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_active")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_customers_language_known"), type_="check")
        batch_op.drop_column("consents")
        batch_op.drop_column("language")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_companies_default_language_known"), type_="check")
        batch_op.drop_column("default_language")
        batch_op.drop_column("version")
    _home_branch_required_again()
    with op.batch_alter_table("branches", schema=None) as batch_op:
        batch_op.drop_column("timezone")
    for table in ("branches", "services", "staff"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table != "staff":
                batch_op.drop_column("is_active")
            batch_op.drop_column("version")
    for table in EXTERNAL_ID_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_company_external_id", type_="unique")
            batch_op.drop_column("external_id")


def _home_branch_required_again() -> None:
    """Before 0007 every staff member had a home branch: company-wide staff get their company's
    first branch. A company with such staff and no branch at all cannot go back (restore the backup)."""
    op.execute("UPDATE staff SET branch_id = (SELECT MIN(b.id) FROM branches b "
               "WHERE b.company_id = staff.company_id) WHERE branch_id IS NULL")
    stranded = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM staff WHERE branch_id IS NULL")).scalar()
    if stranded:
        raise RuntimeError(f"{stranded} staff members have no home branch and their company has no "
                           "branch: revision 0005 cannot hold them. Restore the backup taken before 0007.")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.alter_column("branch_id", existing_type=sa.Integer(), nullable=False)

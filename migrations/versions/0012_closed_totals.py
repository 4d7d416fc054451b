"""Closed callbacks per (company, branch, status), kept from callback_closed_counts by triggers.

The queue's tab counts of an unfiltered view (or one filtered by branch) add up this table: a
few rows per branch. callback_closed_counts, split further by priority and assignee, has rows
for every (priority, assignee) a branch ever closed a callback with — thousands in a chain with
years of staff — and stays the source for the views filtered by priority or assignee.

The triggers sit on callback_closed_counts, whose own triggers (migration 0008) follow every
write to callback_requests, so this table follows it too, in the same transaction. A bucket's
key never changes; only its `callbacks` does. On SQLite a later batch migration that recreates
callback_closed_counts must create these triggers again (tests/models/test_counters.py fails
if they are missing).

Revision ID: 0012_closed_totals
Revises: 0011_languages
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_closed_totals"
down_revision = "0011_languages"
branch_labels = None
depends_on = None

TRIGGERS = ("callback_closed_totals_insert", "callback_closed_totals_update", "callback_closed_totals_delete")
BUCKET = "company_id = {r}.company_id AND branch_id = {r}.branch_id AND status = {r}.status"


def upgrade():
    op.create_table(
        "callback_closed_totals",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("callbacks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_callback_closed_totals_company_id_companies"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", "branch_id", "status", name=op.f("pk_callback_closed_totals")),
    )
    if op.get_bind().dialect.name == "mysql":
        _mysql_triggers()
    else:
        _sqlite_triggers()
    op.execute("""INSERT INTO callback_closed_totals (company_id, branch_id, status, callbacks)
        SELECT company_id, branch_id, status, SUM(callbacks) FROM callback_closed_counts
        GROUP BY company_id, branch_id, status""")


def _add(row: str, amount: str) -> str:
    return f"UPDATE callback_closed_totals SET callbacks = callbacks + ({amount}) WHERE {BUCKET.format(r=row)};"


def _mysql_triggers():
    op.execute("""CREATE TRIGGER callback_closed_totals_insert AFTER INSERT ON callback_closed_counts
        FOR EACH ROW BEGIN
        INSERT INTO callback_closed_totals (company_id, branch_id, status, callbacks)
        VALUES (NEW.company_id, NEW.branch_id, NEW.status, NEW.callbacks)
        ON DUPLICATE KEY UPDATE callbacks = callbacks + VALUES(callbacks);
        END""")
    op.execute(f"""CREATE TRIGGER callback_closed_totals_update AFTER UPDATE ON callback_closed_counts
        FOR EACH ROW BEGIN {_add('NEW', 'NEW.callbacks - OLD.callbacks')} END""")
    op.execute(f"""CREATE TRIGGER callback_closed_totals_delete AFTER DELETE ON callback_closed_counts
        FOR EACH ROW BEGIN {_add('OLD', '-OLD.callbacks')} END""")


def _sqlite_triggers():
    op.execute(f"""CREATE TRIGGER callback_closed_totals_insert AFTER INSERT ON callback_closed_counts BEGIN
        INSERT OR IGNORE INTO callback_closed_totals (company_id, branch_id, status, callbacks)
        VALUES (NEW.company_id, NEW.branch_id, NEW.status, 0);
        {_add('NEW', 'NEW.callbacks')} END""")
    op.execute(f"""CREATE TRIGGER callback_closed_totals_update AFTER UPDATE ON callback_closed_counts BEGIN
        {_add('NEW', 'NEW.callbacks - OLD.callbacks')} END""")
    op.execute(f"""CREATE TRIGGER callback_closed_totals_delete AFTER DELETE ON callback_closed_counts BEGIN
        {_add('OLD', '-OLD.callbacks')} END""")


def downgrade():
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("callback_closed_totals")

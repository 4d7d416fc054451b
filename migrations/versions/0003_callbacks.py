"""Callbacks: queue-order indexes, one unresolved escalation per reason, API tokens.

- callback_requests.priority_rank (0 urgent, 1 high, 2 normal), kept equal to `priority` by a
  check constraint, so the queue (deadline, then priority) reads in order from an index.
- The queue indexes (company or branch, status, expires_at, priority_rank, id) replace the
  (…, status, expires_at) ones: every page of the queue, however deep, is an index seek.
- callback_escalations.open_marker (1 while unresolved, NULL once resolved) in a unique key with
  the callback and the reason: the database refuses a second unresolved escalation of a reason,
  even from two sweeps running at once.
- api_tokens: per-company tokens of the intake API, stored as SHA-256 hashes.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RANKS = (("urgent", 0), ("high", 1), ("normal", 2))
RANK_CHECK = " OR ".join(f"(priority = '{name}' AND priority_rank = {rank})" for name, rank in RANKS)
STATUS_CHECK = ("status IN ('pending', 'assigned', 'contacted', 'completed', 'expired', "
                "'cancelled')")
REASON_CHECK = "escalation_reason IN ('sla_breach', 'manual_escalation', 'multiple_attempts_failed')"
MARKER_CHECK = ("(resolved_at IS NULL AND open_marker = 1) OR "
                "(resolved_at IS NOT NULL AND open_marker IS NULL)")
QUEUE_COLUMNS = ["status", "expires_at", "priority_rank", "id"]


def upgrade():
    _upgrade_callback_requests()
    _upgrade_callback_escalations()
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_api_tokens_company_id_companies"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_api_tokens_created_by_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_company_id"), ["company_id"], unique=False)


def _upgrade_callback_requests():
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority_rank", sa.SmallInteger(), nullable=True))
    # Rows written before this revision could carry any text as priority; the queue knows three.
    op.execute("UPDATE callback_requests SET priority = 'normal' "
               "WHERE priority NOT IN ('urgent', 'high', 'normal')")
    op.execute("UPDATE callback_requests SET priority_rank = CASE priority "
               + " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in RANKS) + " END")
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.alter_column("priority_rank", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_callback_requests_priority_rank_matches_priority"), RANK_CHECK)
        batch_op.create_check_constraint(op.f("ck_callback_requests_status_known"), STATUS_CHECK)
        # New indexes first: on MySQL the branch foreign key needs an index starting with branch_id.
        batch_op.create_index("ix_callback_requests_queue_order", ["company_id", *QUEUE_COLUMNS])
        batch_op.create_index("ix_callback_requests_branch_queue_order", ["branch_id", *QUEUE_COLUMNS])
        batch_op.drop_index("ix_callback_requests_queue")
        batch_op.drop_index("ix_callback_requests_branch_queue")


def _upgrade_callback_escalations():
    with op.batch_alter_table("callback_escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_marker", sa.Boolean(), nullable=True))
    _resolve_duplicate_open_escalations()
    op.execute("UPDATE callback_escalations SET open_marker = 1 WHERE resolved_at IS NULL")
    with op.batch_alter_table("callback_escalations", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_callback_escalations_one_open_per_reason",
            ["callback_request_id", "escalation_reason", "open_marker"])
        batch_op.create_check_constraint(
            op.f("ck_callback_escalations_open_marker_matches_resolved_at"), MARKER_CHECK)
        batch_op.create_check_constraint(op.f("ck_callback_escalations_reason_known"), REASON_CHECK)


def _resolve_duplicate_open_escalations():
    """Before the unique key: keep the oldest unresolved escalation of each (callback, reason)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, callback_request_id, escalation_reason FROM callback_escalations "
        "WHERE resolved_at IS NULL ORDER BY id")).all()
    seen = set()
    for ident, callback_id, reason in rows:
        if (callback_id, reason) in seen:
            bind.execute(sa.text(
                "UPDATE callback_escalations SET resolved_at = escalated_at, resolution_notes = "
                "'Closed as a duplicate by migration 0003' WHERE id = :id"), {"id": ident})
        seen.add((callback_id, reason))


def downgrade():
    op.drop_table("api_tokens")
    with op.batch_alter_table("callback_escalations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_callback_escalations_reason_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_callback_escalations_open_marker_matches_resolved_at"),
                                 type_="check")
        batch_op.drop_constraint("uq_callback_escalations_one_open_per_reason", type_="unique")
        batch_op.drop_column("open_marker")
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.create_index("ix_callback_requests_queue", ["company_id", "status", "expires_at", "id"])
        batch_op.create_index("ix_callback_requests_branch_queue", ["branch_id", "status", "expires_at"])
        batch_op.drop_index("ix_callback_requests_queue_order")
        batch_op.drop_index("ix_callback_requests_branch_queue_order")
        batch_op.drop_constraint(op.f("ck_callback_requests_status_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_callback_requests_priority_rank_matches_priority"),
                                 type_="check")
        batch_op.drop_column("priority_rank")

"""Scale: counters kept by triggers, the intake's per-phone locks, the SLA chart's index.

- callback_closed_counts: closed callbacks per (company, branch, status, priority, assignee), kept
  by triggers on callback_requests, so the queue's closed tabs never count closed history.
- modification_totals: modifications and fees per (company, UTC day / UTC month, branch, type,
  in policy, charged), kept by a trigger on appointment_modifications (append-only), so the audit
  page's totals read a few buckets instead of every modification.
- callback_phone_locks: one row per (company, phone) that intake locks instead of the company row.
- ix_callback_requests_completed: the dashboard's completions of the last days, from the index.

Triggers are written per dialect (MariaDB/MySQL and SQLite) and created after the tables; both
counter tables are filled from the existing rows. On SQLite a later batch migration that
recreates callback_requests or appointment_modifications must create these triggers again
(tests/models/test_counters.py fails if they are missing).

Revision ID: 0008_scale
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_scale"
down_revision = "0007"
branch_labels = None
depends_on = None

CLOSED = "('completed', 'expired', 'cancelled')"
TRIGGERS = ("callback_closed_counts_insert", "callback_closed_counts_update", "callback_closed_counts_leave",
            "callback_closed_counts_enter", "callback_closed_counts_delete", "modification_totals_insert")
BUCKET = ("company_id = {r}.company_id AND branch_id = {r}.branch_id AND status = {r}.status "
          "AND priority = {r}.priority AND assignee = COALESCE({r}.assigned_to, 0)")
MOVED = ("NOT (OLD.status <=> NEW.status AND OLD.branch_id <=> NEW.branch_id AND OLD.priority <=> NEW.priority "
         "AND OLD.assigned_to <=> NEW.assigned_to AND OLD.company_id <=> NEW.company_id)")


def upgrade():
    _tables()
    op.create_index("ix_callback_requests_completed", "callback_requests",
                    ["company_id", "status", "completed_at", "expires_at", "branch_id"])
    if op.get_bind().dialect.name == "mysql":
        _mysql_triggers()
    else:
        _sqlite_triggers()
    _backfill()


def _tables():
    op.create_table(
        "callback_closed_counts",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("assignee", sa.Integer(), nullable=False),
        sa.Column("callbacks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_callback_closed_counts_company_id_companies"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", "branch_id", "status", "priority", "assignee",
                                name=op.f("pk_callback_closed_counts")),
    )
    op.create_table(
        "modification_totals",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("span", sa.String(length=5), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("modification_type", sa.String(length=20), nullable=False),
        sa.Column("within_policy", sa.Boolean(), nullable=False),
        sa.Column("charged", sa.Boolean(), nullable=False),
        sa.Column("modifications", sa.Integer(), nullable=False),
        sa.Column("fees", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_modification_totals_company_id_companies"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", "span", "period", "branch_id", "modification_type",
                                "within_policy", "charged", name=op.f("pk_modification_totals")),
    )
    op.create_table(
        "callback_phone_locks",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_callback_phone_locks_company_id_companies"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", "phone_number", name=op.f("pk_callback_phone_locks")),
    )


def _mysql_triggers():
    enter = ("INSERT INTO callback_closed_counts (company_id, branch_id, status, priority, assignee, callbacks) "
             "VALUES (NEW.company_id, NEW.branch_id, NEW.status, NEW.priority, COALESCE(NEW.assigned_to, 0), 1) "
             "ON DUPLICATE KEY UPDATE callbacks = callbacks + 1;")
    leave = f"UPDATE callback_closed_counts SET callbacks = callbacks - 1 WHERE {BUCKET.format(r='OLD')};"
    op.execute(f"""CREATE TRIGGER callback_closed_counts_insert AFTER INSERT ON callback_requests FOR EACH ROW
        BEGIN IF NEW.status IN {CLOSED} THEN {enter} END IF; END""")
    op.execute(f"""CREATE TRIGGER callback_closed_counts_update AFTER UPDATE ON callback_requests FOR EACH ROW
        BEGIN IF {MOVED} THEN
            IF OLD.status IN {CLOSED} THEN {leave} END IF;
            IF NEW.status IN {CLOSED} THEN {enter} END IF;
        END IF; END""")
    op.execute(f"""CREATE TRIGGER callback_closed_counts_delete AFTER DELETE ON callback_requests FOR EACH ROW
        BEGIN IF OLD.status IN {CLOSED} THEN {leave} END IF; END""")
    op.execute("""CREATE TRIGGER modification_totals_insert AFTER INSERT ON appointment_modifications
        FOR EACH ROW BEGIN
        DECLARE branch INT DEFAULT (SELECT branch_id FROM appointments WHERE id = NEW.appointment_id);
        INSERT INTO modification_totals (company_id, span, period, branch_id, modification_type,
                                         within_policy, charged, modifications, fees)
        VALUES (NEW.company_id, 'day', DATE(NEW.created_at), branch, NEW.modification_type,
                NEW.within_policy, NEW.fee_charged > 0, 1, NEW.fee_charged),
               (NEW.company_id, 'month', DATE(NEW.created_at) - INTERVAL (DAYOFMONTH(NEW.created_at) - 1) DAY,
                branch, NEW.modification_type, NEW.within_policy, NEW.fee_charged > 0, 1, NEW.fee_charged)
        ON DUPLICATE KEY UPDATE modifications = modifications + 1, fees = fees + VALUES(fees);
        END""")


def _sqlite_enter(row: str) -> str:
    return (f"INSERT OR IGNORE INTO callback_closed_counts (company_id, branch_id, status, priority, assignee, "
            f"callbacks) VALUES ({row}.company_id, {row}.branch_id, {row}.status, {row}.priority, "
            f"COALESCE({row}.assigned_to, 0), 0); "
            f"UPDATE callback_closed_counts SET callbacks = callbacks + 1 WHERE {BUCKET.format(r=row)};")


def _sqlite_triggers():
    moved = MOVED.replace("<=>", "IS")
    leave = f"UPDATE callback_closed_counts SET callbacks = callbacks - 1 WHERE {BUCKET.format(r='OLD')};"
    op.execute(f"""CREATE TRIGGER callback_closed_counts_insert AFTER INSERT ON callback_requests
        WHEN NEW.status IN {CLOSED} BEGIN {_sqlite_enter('NEW')} END""")
    op.execute(f"""CREATE TRIGGER callback_closed_counts_leave AFTER UPDATE ON callback_requests
        WHEN OLD.status IN {CLOSED} AND {moved} BEGIN {leave} END""")
    op.execute(f"""CREATE TRIGGER callback_closed_counts_enter AFTER UPDATE ON callback_requests
        WHEN NEW.status IN {CLOSED} AND {moved} BEGIN {_sqlite_enter('NEW')} END""")
    op.execute(f"""CREATE TRIGGER callback_closed_counts_delete AFTER DELETE ON callback_requests
        WHEN OLD.status IN {CLOSED} BEGIN {leave} END""")
    statements = []
    for span, period in (("day", "date(NEW.created_at)"), ("month", "date(NEW.created_at, 'start of month')")):
        key = (f"company_id = NEW.company_id AND span = '{span}' AND period = {period} AND branch_id = "
               "(SELECT branch_id FROM appointments WHERE id = NEW.appointment_id) AND modification_type = "
               "NEW.modification_type AND within_policy = NEW.within_policy AND charged = (NEW.fee_charged > 0)")
        statements.append(
            "INSERT OR IGNORE INTO modification_totals (company_id, span, period, branch_id, modification_type, "
            f"within_policy, charged, modifications, fees) SELECT NEW.company_id, '{span}', {period}, a.branch_id, "
            "NEW.modification_type, NEW.within_policy, NEW.fee_charged > 0, 0, 0 FROM appointments a "
            "WHERE a.id = NEW.appointment_id;")
        statements.append("UPDATE modification_totals SET modifications = modifications + 1, "
                          f"fees = fees + NEW.fee_charged WHERE {key};")
    op.execute("CREATE TRIGGER modification_totals_insert AFTER INSERT ON appointment_modifications BEGIN "
               + " ".join(statements) + " END")


def _backfill():
    mysql = op.get_bind().dialect.name == "mysql"
    op.execute(f"""INSERT INTO callback_closed_counts (company_id, branch_id, status, priority, assignee, callbacks)
        SELECT company_id, branch_id, status, priority, COALESCE(assigned_to, 0), COUNT(*)
        FROM callback_requests WHERE status IN {CLOSED}
        GROUP BY company_id, branch_id, status, priority, COALESCE(assigned_to, 0)""")
    day = "DATE(m.created_at)" if mysql else "date(m.created_at)"
    month = ("DATE(m.created_at) - INTERVAL (DAYOFMONTH(m.created_at) - 1) DAY" if mysql
             else "date(m.created_at, 'start of month')")
    for span, period in (("day", day), ("month", month)):
        op.execute(f"""INSERT INTO modification_totals (company_id, span, period, branch_id, modification_type,
                                                        within_policy, charged, modifications, fees)
            SELECT m.company_id, '{span}', {period}, a.branch_id, m.modification_type, m.within_policy,
                   m.fee_charged > 0, COUNT(*), SUM(m.fee_charged)
            FROM appointment_modifications m JOIN appointments a ON a.id = m.appointment_id
            GROUP BY m.company_id, {period}, a.branch_id, m.modification_type, m.within_policy, m.fee_charged > 0""")


def downgrade():
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_callback_requests_completed", table_name="callback_requests")
    for table in ("callback_phone_locks", "modification_totals", "callback_closed_counts"):
        op.drop_table(table)

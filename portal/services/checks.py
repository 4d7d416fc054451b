"""Post-deployment validation (`flask portal check`): one named check per line."""
import secrets
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import func, inspect, select, text

from portal.extensions import cache, db
from portal.models import ORIGINAL_TABLES, NotificationEventMapping

EXPECTED_EVENTS = 13


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def check_database() -> str:
    db.session.execute(text("SELECT 1"))
    return f"connected to {db.engine.dialect.name}"


def check_migrations() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        raise RuntimeError(f"database at {sorted(current) or 'no revision'}, code at {sorted(heads)}")
    return f"at head {', '.join(sorted(heads))}"


def check_tables() -> str:
    present = set(inspect(db.engine).get_table_names())
    missing = [name for name in ORIGINAL_TABLES if name not in present]
    if missing:
        raise RuntimeError("missing " + ", ".join(missing))
    return f"all {len(ORIGINAL_TABLES)} present"


def check_events() -> str:
    count = db.session.scalar(
        select(func.count(NotificationEventMapping.id)).where(NotificationEventMapping.is_system_event)
    )
    if count != EXPECTED_EVENTS:
        raise RuntimeError(f"found {count} system events, expected {EXPECTED_EVENTS}")
    return f"{count} system events"


COUNTER_TRIGGERS = ("callback_closed_counts_insert", "callback_closed_counts_delete",
                    "modification_totals_insert", "callback_closed_totals_insert",
                    "callback_closed_totals_update", "callback_closed_totals_delete")


def check_counters() -> str:
    """The triggers that keep the queue's and the audit page's counters (migrations 0008, 0012) exist: a
    SQLite migration that rebuilds their table drops them silently."""
    if db.engine.dialect.name == "mysql":
        query = "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    present = set(db.session.scalars(text(query)))
    missing = [name for name in COUNTER_TRIGGERS if name not in present]
    if missing:
        raise RuntimeError("missing " + ", ".join(missing))
    return f"{len(present)} triggers keep them"


def check_cache() -> str:
    key, value = f"portal-check:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    read_back = cache.get(key)
    cache.delete(key)
    if read_back != value:
        raise RuntimeError(f"wrote to {current_app.config['CACHE_TYPE']} but could not read it back")
    return f"round trip through {current_app.config['CACHE_TYPE']}"


def check_effective_policy() -> str:
    from portal.models import Company

    company = db.session.scalar(select(Company).order_by(Company.id).limit(1))
    if company is None:
        return "no company yet; nothing to resolve"
    values = company.effective_policy("callback") or {}
    if "sla_minutes_urgent" not in values:
        raise RuntimeError(f"callback policy of {company.slug} resolved without an SLA: {values}")
    return f"callback policy of {company.slug}: urgent SLA {values['sla_minutes_urgent']} min"


CHECKS = (
    ("database reachable", check_database),
    ("migrations at head", check_migrations),
    ("original tables", check_tables),
    ("notification events", check_events),
    ("counters", check_counters),
    ("cache round trip", check_cache),
    ("effective policy", check_effective_policy),
)


def run_checks(checks=CHECKS) -> list[CheckResult]:
    """Run every check; a failure is recorded, never raised, so all lines print."""
    results = []
    for name, check in checks:
        try:
            results.append(CheckResult(name, True, check()))
        except Exception as exc:  # a check reports any failure, whatever its kind
            db.session.rollback()
            results.append(CheckResult(name, False, str(exc).splitlines()[0]))
    return results

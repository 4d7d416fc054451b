"""Changing notification configuration: one cell of one node at a time, version-checked,
validated by the domain rules (staff restrictions, locks), audited.

Only admins change notification configuration. A reset keeps the row with its keys cleared, so
the cell keeps its "last changed by" and its version keeps counting: an editor opened before a
reset can never slip through after the row is re-created with the same version number.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.domain.messages import M_
from portal.domain.notifications import KEYS, catalog_defaults, clean_settings
from portal.extensions import db
from portal.models import NotificationConfiguration, User
from portal.services import audit
from portal.services.notifications.read import audit_entity, load_events, stored
from portal.services.policies.read import NodeRef
from portal.services.scope import Scope


@dataclass(frozen=True)
class Conflict:
    """Someone changed the cell since the editor loaded it."""

    changed_by: str | None
    changed_at: datetime | None
    current_settings: dict
    current_locked: bool
    current_version: int


@dataclass(frozen=True)
class Outcome:
    """What became of a save: errors by field (nothing saved), a conflict, or saved."""

    errors: dict = field(default_factory=dict)
    conflict: Conflict | None = None

    @property
    def saved(self) -> bool:
        return not self.errors and self.conflict is None


def can_change(user: User) -> bool:
    """Notification configuration is the admins' (DESIGN §6); everyone else reads it."""
    return user.is_admin


def _row(company_id: int, level: str, entity_id: int, event_type: str, channel: str):
    return db.session.scalar(select(NotificationConfiguration).where(
        *Scope.company(company_id).where(NotificationConfiguration),
        NotificationConfiguration.configurable_type == level,
        NotificationConfiguration.configurable_id == entity_id,
        NotificationConfiguration.event_type == event_type,
        NotificationConfiguration.channel == channel))


def locked_at_company(company_id: int, event_type: str, channel: str) -> bool:
    """True when the company level locks this (event, channel) on (read from the database)."""
    row = _row(company_id, "company", company_id, event_type, channel)
    return bool(row and row.locked)


def catalog_enabled(node: NodeRef, event_type: str, channel: str) -> bool:
    """Whether a company cell is on without its own Enabled: the catalog's default. Only the
    company level locks, and what it inherits is the catalog, so that is all a lock needs."""
    if node.level != "company":
        return False
    event = next((event for event in load_events() if event.event_type == event_type), None)
    return event is not None and bool(catalog_defaults(event, channel)["is_enabled"])


def current_conflict(company_id: int, node: NodeRef, event_type: str, channel: str) -> Conflict:
    row = _row(company_id, node.level, node.entity_id, event_type, channel)
    if row is None:
        return Conflict(None, None, {}, False, 0)
    name = db.session.scalar(select(User.name).where(User.id == row.updated_by_id))
    cell = stored(row, name)
    return Conflict(name, cell.updated_at, cell.settings, cell.locked, cell.version)


def _snapshot(event_type: str, channel: str, settings: dict, locked: bool) -> dict:
    return {"event_type": event_type, "channel": channel, "settings": settings, "locked": locked}


def save_cell(user: User, node: NodeRef, event_type: str, channel: str, raw: dict,
              lock: bool, expected_version: int, action: str = "update") -> Outcome:
    """Store what `node` sets for (event_type, channel): exactly the keys in `raw`, the others
    inherit. `expected_version` is the version the editor showed (0: no row yet)."""
    if not can_change(user):
        raise PermissionError("Only admins change notification configuration.")
    company_id = user.company_id
    row = _row(company_id, node.level, node.entity_id, event_type, channel)
    if (row.version if row else 0) != expected_version:
        return Outcome(conflict=current_conflict(company_id, node, event_type, channel))
    locked_above = node.level != "company" and locked_at_company(company_id, event_type, channel)
    settings, errors = clean_settings(node.level, channel, raw, lock=lock, locked_above=locked_above,
                                      inherited_enabled=catalog_enabled(node, event_type, channel))
    if errors:
        return Outcome(errors=errors)
    if row is not None and (stored(row, None).settings, row.locked) == (settings, lock):
        return Outcome()  # nothing changed: no new version, no audit entry
    _write(user, node, event_type, channel, row, settings, lock, action)
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):  # a concurrent writer got there between read and write
        db.session.rollback()
        return Outcome(conflict=current_conflict(company_id, node, event_type, channel))
    return Outcome()


def _write(user: User, node: NodeRef, event_type: str, channel: str,
           row: NotificationConfiguration | None, settings: dict, lock: bool, action: str) -> None:
    """Set the row's keys (creating it if needed) and audit the change, in one transaction."""
    before = _snapshot(event_type, channel, stored(row, None).settings if row else {},
                       bool(row and row.locked))
    if row is None:
        action = "create"
        row = NotificationConfiguration(company_id=user.company_id, configurable_type=node.level,
                                        configurable_id=node.entity_id, event_type=event_type,
                                        channel=channel)
        db.session.add(row)
    for key in KEYS:
        setattr(row, key, settings.get(key))
    row.locked, row.updated_by_id = lock, user.id
    audit.record(user.company_id, user, action, audit_entity(node.level), node.entity_id,
                 before, _snapshot(event_type, channel, settings, lock))


def reset_cell(user: User, node: NodeRef, event_type: str, channel: str, expected_version: int,
               key: str | None = None) -> Outcome:
    """Back to inherited: one key (`key`) or the whole cell, lock included."""
    if not can_change(user):
        raise PermissionError("Only admins change notification configuration.")
    row = _row(user.company_id, node.level, node.entity_id, event_type, channel)
    if (row.version if row else 0) != expected_version:
        return Outcome(conflict=current_conflict(user.company_id, node, event_type, channel))
    if row is None:
        return Outcome(errors={"cell": M_("Nothing is set on this node, so there is nothing to reset.")})
    current = stored(row, None)
    if key is None:
        return save_cell(user, node, event_type, channel, {}, False, expected_version, "reset_cell")
    if key not in current.settings:
        return Outcome(errors={key: M_("%(key)s is not set on this node, so there is nothing to reset.",
                                       key=repr(key))})
    remaining = {name: value for name, value in current.settings.items() if name != key}
    return save_cell(user, node, event_type, channel, remaining, current.locked, expected_version,
                     "reset_key")


@dataclass(frozen=True)
class PlannedCell:
    """One cell of a previewed bulk change, as the preview showed it."""

    event_type: str
    channel: str
    version: int  # of the node's row, 0 when it has none
    settings: dict  # the node's own settings after the change


def bulk_change(user: User, node: NodeRef, planned: list[PlannedCell],
                seen: set[tuple[str, str, int]]) -> Outcome:
    """Apply a previewed bulk change to many cells of one node in one transaction, all or nothing.

    `seen` is what the person confirmed: (event, channel, version) of each cell the preview
    listed. When the plan worked out now differs (someone changed a cell meanwhile), nothing is
    saved and the outcome is a conflict, so they look at the new preview before confirming again.
    Each cell is validated by the same rules as the cell editor (staff keys, locks) and audited.
    """
    if not can_change(user):
        raise PermissionError("Only admins change notification configuration.")
    if {(cell.event_type, cell.channel, cell.version) for cell in planned} != seen:
        return Outcome(conflict=Conflict(None, None, {}, False, 0))
    errors: dict[str, str] = {}
    for cell in planned:
        problem = _apply_planned(user, node, cell)
        if isinstance(problem, Conflict):
            db.session.rollback()
            return Outcome(conflict=problem)
        errors.update(problem)
    if errors:
        db.session.rollback()
        return Outcome(errors=errors)
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        return Outcome(conflict=Conflict(None, None, {}, False, 0))
    return Outcome()


def _apply_planned(user: User, node: NodeRef, cell: PlannedCell) -> Conflict | dict[str, str]:
    """Write one planned cell (no commit): a conflict, its errors, or {} when written."""
    row = _row(user.company_id, node.level, node.entity_id, cell.event_type, cell.channel)
    if (row.version if row else 0) != cell.version:
        return current_conflict(user.company_id, node, cell.event_type, cell.channel)
    lock = bool(row and row.locked)
    locked_above = node.level != "company" and locked_at_company(user.company_id, cell.event_type,
                                                                 cell.channel)
    inherited = catalog_enabled(node, cell.event_type, cell.channel)
    settings, problems = clean_settings(node.level, cell.channel, cell.settings, lock=lock,
                                        locked_above=locked_above, inherited_enabled=inherited)
    if problems:
        return {f"{cell.event_type}.{cell.channel}": message for message in problems.values()}
    _write(user, node, cell.event_type, cell.channel, row, settings, lock, "bulk_update")
    return {}

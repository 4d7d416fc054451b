"""What every change to a branch, service or staff member shares: the version check (a stale edit
changes nothing), the audit snapshot, uniqueness of names and external ids, and (de)activation.

Each use case is load → clean (portal.domain.organisation) → compare-and-set the version → write
→ audit → commit. The configuration generation moves by itself: the cache's listener sees the
flushed Branch/Service/Staff change (portal/cache/invalidation.py), so trees and effective values
change on the next request.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from portal.domain.messages import M_
from portal.extensions import db
from portal.models import AuditEvent, Branch, Company, Service, Staff, User
from portal.services import audit
from portal.services.scope import Scope

Node = Branch | Service | Staff
KIND_MODELS: dict[str, type[Node]] = {"branch": Branch, "service": Service, "staff": Staff}
KIND_LABELS = {"branch": M_("branch"), "service": M_("service"), "staff": M_("staff member")}


@dataclass(frozen=True)
class Conflict:
    """Someone saved the record after the editor loaded it."""

    changed_by: str | None
    changed_at: datetime | None
    current_version: int


@dataclass
class Outcome:
    """What a change did: the record, or the messages by field, or the conflict."""

    entity: Any = None
    errors: dict[str, str] = field(default_factory=dict)
    conflict: Conflict | None = None
    changed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and self.conflict is None


def kind_of(entity: Node) -> str:
    return entity.level


def last_change(company_id: int, entity_type: str, entity_id: int) -> tuple[str | None, datetime | None]:
    """(who, when) of the latest audited change of a record."""
    row = db.session.execute(
        select(AuditEvent.actor_label, AuditEvent.created_at)
        .where(*Scope.company(company_id).where(AuditEvent), AuditEvent.entity_type == entity_type,
               AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id.desc()).limit(1)).first()
    return (row.actor_label, row.created_at) if row else (None, None)


def company_of(entity: Any) -> int:
    """The tenant of a record; a company is its own."""
    return entity.id if isinstance(entity, Company) else entity.company_id


def conflict_of(entity: Node | Company, entity_type: str) -> Conflict:
    db.session.rollback()
    current = db.session.scalar(select(type(entity).version).where(type(entity).id == entity.id)) or 0
    who, when = last_change(company_of(entity), entity_type, entity.id)
    return Conflict(who, when, current)


def claim_version(entity: Any, expected: int) -> bool:
    """Compare-and-set of the row's version in one UPDATE: True when `expected` was still current.

    Two editors saving at once both send the version they saw; the database lets one UPDATE match,
    and the other finds no row (on MariaDB it waits for the first commit, then misses)."""
    model = type(entity)
    result = cast(CursorResult, db.session.execute(
        update(model).where(model.id == entity.id, model.version == expected)
        .values(version=model.version + 1).execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        return False
    set_committed_value(entity, "version", expected + 1)
    return True


def name_taken(model: type[Branch] | type[Service], company_id: int, name: str, own_id: int | None) -> bool:
    """Branch and service names are unique per company, whatever the case."""
    return db.session.scalar(select(model.id).where(
        *Scope.company(company_id).where(model), func.lower(model.name) == name.lower(),
        model.id != (own_id or 0)).limit(1)) is not None


def external_id_taken(model: type[Node], company_id: int, external_id: str | None,
                      own_id: int | None) -> bool:
    if external_id is None:
        return False
    return db.session.scalar(select(model.id).where(
        *Scope.company(company_id).where(model), model.external_id == external_id,
        model.id != (own_id or 0)).limit(1)) is not None


def check_unique(model: type[Node], company_id: int, values: dict, own_id: int | None,
                 errors: dict[str, str]) -> None:
    """Messages for a name or external id another record of the company already has."""
    label = KIND_LABELS[model.level]
    if model is not Staff and "name" in values and "name" not in errors and name_taken(
            cast(type[Branch] | type[Service], model), company_id, values["name"], own_id):
        errors["name"] = M_("Another %(kind)s is already called “%(name)s”.", kind=label, name=values["name"])
    external_id = values.get("external_id")
    if "external_id" not in errors and external_id_taken(model, company_id, external_id, own_id):
        errors["external_id"] = M_("Another %(kind)s already has the external id “%(id)s”.", kind=label,
                                   id=values["external_id"])


def save_change(actor: User | None, entity: Any, entity_type: str, action: str, before: dict,
                after: dict, commit: bool = True) -> Outcome:
    """Audit and commit a change already applied to `entity`; a unique key the database refuses
    (a concurrent save of the same name) is a message, and nothing is written."""
    audit.record(company_of(entity), actor, action, entity_type, entity.id, before, after)
    try:
        db.session.flush()
        if commit:
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return Outcome(errors={"name": M_("Another record with this name or external id was saved just "
                                          "now.")})
    return Outcome(entity, changed=True)


def set_active(actor: User, entity: Node, active: bool, expected_version: int,
               commit: bool = True) -> Outcome:
    """Deactivate or reactivate a branch, service or staff member. Nothing attached changes: its
    policy and notification rows, callbacks, appointments and accounts stay as they are."""
    kind = kind_of(entity)
    if entity.is_active == active:
        return Outcome(entity)
    if not claim_version(entity, expected_version):
        return Outcome(conflict=conflict_of(entity, kind))
    entity.is_active = active
    return save_change(actor, entity, kind, "reactivate" if active else "deactivate",
                       {"is_active": not active}, {"is_active": active}, commit)


def apply_values(entity: Any, values: dict) -> tuple[dict, dict]:
    """Set the plain attributes in `values` that differ; (before, after) of those only."""
    before, after = {}, {}
    for key, value in values.items():
        old = getattr(entity, key)
        if old != value:
            before[key], after[key] = audit_value(old), audit_value(value)
            setattr(entity, key, value)
    return before, after


def audit_value(value: Any) -> Any:
    """Values as JSON can hold them (prices as text, links as sorted ids)."""
    if isinstance(value, list):
        return sorted(item.id for item in value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def replace_links(entity: Any, attribute: str, wanted: list, before: dict, after: dict) -> None:
    """Set a many-to-many collection (services offered, services performed) when it changes."""
    current = getattr(entity, attribute)
    if {item.id for item in current} != {item.id for item in wanted}:
        before[attribute], after[attribute] = audit_value(list(current)), audit_value(wanted)
        setattr(entity, attribute, wanted)


def records_by_ids(model: type[Node], company_id: int, raw_ids: Any, what: str) -> tuple[list, str | None]:
    """The company's records named by a list of ids (as a form sends them), in name order.

    An id that is malformed or not this company's is "unknown": another company's record is
    never confirmed to exist."""
    from portal.domain.parsing import parse_id

    raw = list(raw_ids or [])
    if len(raw) > 1000:
        return [], f"Too many {what} chosen."
    ids = {parse_id(value) for value in raw}
    if None in ids:
        return [], f"Unknown {what}: reload the page and choose again."
    rows = list(db.session.scalars(Scope.company(company_id).select(model, model.id.in_(ids))
                                   .order_by(model.name))) if ids else []
    if len(rows) != len(ids):
        return [], f"Unknown {what}: reload the page and choose again."
    return rows, None

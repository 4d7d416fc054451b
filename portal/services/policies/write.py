"""Changing policy rows: version-checked saves, resets, override links, audit."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.domain.messages import M_
from portal.domain.policies import LevelRow, nearest_overridden
from portal.extensions import db
from portal.models import PolicyConfiguration, Staff, User, utcnow
from portal.services import audit
from portal.services.policies.read import NodeRef, load_rows
from portal.services.scope import Scope


@dataclass(frozen=True)
class Conflict:
    """Someone changed the row since the editor loaded it."""

    changed_by: str | None
    changed_at: datetime | None
    current_config: dict
    current_version: int


def can_edit(user: User, node: NodeRef) -> bool:
    """Admins edit every level; managers their branch row and staff rows of their branch."""
    if user.is_admin:
        return True
    if not user.is_manager or user.branch_id is None:
        return False
    if node.level == "branch":
        return node.entity_id == user.branch_id
    if node.level == "staff":
        return ("branch", user.branch_id) in node.path
    return False


def edit_refusal(user: User, node: NodeRef) -> str:
    """Why this user may only read this node (shown beside the read-only editor)."""
    if user.is_agent:
        return M_("Support agents can view policies but not change them.")
    if node.level == "company":
        return M_("Company-level rules apply to every branch, so only admins can change them. Override them "
                  "on your branch or its staff instead.")
    if node.level == "service":
        return M_("Service-level rules apply to every branch, so only admins can change them. Override them "
                  "on your branch or its staff instead.")
    return M_("This node belongs to another branch; you can change your own branch and its staff.")


def audit_entity(policy_type: str, level: str) -> str:
    return f"policy:{policy_type}:{level}"


def _live_row(company_id: int, policy_type: str, node: NodeRef) -> PolicyConfiguration | None:
    return db.session.scalar(select(PolicyConfiguration).where(
        *Scope.company(company_id).where(PolicyConfiguration), PolicyConfiguration.policy_type == policy_type,
        PolicyConfiguration.configurable_type == node.level,
        PolicyConfiguration.configurable_id == node.entity_id, PolicyConfiguration.live.is_(True)))


def current_conflict(company_id: int, policy_type: str, node: NodeRef) -> Conflict:
    info = load_rows(company_id, policy_type, [node.key]).get(node.key)
    if info is None:
        return Conflict(_last_actor(company_id, policy_type, node), None, {}, 0)
    return Conflict(info.updated_by, info.updated_at, info.config, info.version)


def _last_actor(company_id: int, policy_type: str, node: NodeRef) -> str | None:
    from portal.models import AuditEvent

    return db.session.scalar(
        select(AuditEvent.actor_label).where(
            *Scope.company(company_id).where(AuditEvent),
            AuditEvent.entity_type == audit_entity(policy_type, node.level),
            AuditEvent.entity_id == node.entity_id).order_by(AuditEvent.id.desc()).limit(1))


def save_row(user: User, policy_type: str, node: NodeRef, config: dict,
             expected_version: int) -> Conflict | None:
    """Store `config` as the node's row (empty config retires the row); None on success.

    `expected_version` is the version the editor showed (0: no row). A different current version,
    or a concurrent writer caught by the database, gives a Conflict and changes nothing.
    """
    company_id = user.company_id
    row = _live_row(company_id, policy_type, node)
    if (row.version if row else 0) != expected_version:
        return current_conflict(company_id, policy_type, node)
    before = dict(row.config) if row else {}
    if before == config:
        return None
    if row is not None and not config:
        row.soft_delete(utcnow())
        row.updated_by_id = user.id
    elif row is not None:
        row.config, row.updated_by_id = config, user.id
    else:
        row = PolicyConfiguration(company_id=company_id, configurable_type=node.level,
                                  configurable_id=node.entity_id, policy_type=policy_type,
                                  config=config, updated_by_id=user.id)
        db.session.add(row)
    action = "reset_row" if not config else ("update" if before else "create")
    audit.record(company_id, user, action, audit_entity(policy_type, node.level), node.entity_id,
                 {"config": before}, {"config": config})
    try:
        db.session.flush()
        relink_overrides(company_id, policy_type)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        return current_conflict(company_id, policy_type, node)
    return None


def relink_overrides(company_id: int, policy_type: str) -> None:
    """Keep is_override/overrides_id true to the current rows of one type in one company.

    Written with plain UPDATEs so the version of a row that only changes its link does not
    move (its editors would otherwise get a conflict for a change they cannot see).
    """
    rows = db.session.scalars(select(PolicyConfiguration).where(
        *Scope.company(company_id).where(PolicyConfiguration), PolicyConfiguration.policy_type == policy_type,
        PolicyConfiguration.live.is_(True))).all()
    by_node = {(row.configurable_type, row.configurable_id): row for row in rows}
    home = dict(db.session.execute(
        select(Staff.id, Staff.branch_id).where(*Scope.company(company_id).where(Staff))).all())
    for (level, ident), row in by_node.items():
        branch_id = home.get(ident) if level == "staff" else None  # None too when the staff member is gone
        path = [("company", company_id)] + ([("branch", branch_id)] if branch_id is not None else [])
        path_rows = [LevelRow(lvl, i, None, by_node[(lvl, i)].config) for lvl, i in path
                     if (lvl, i) in by_node and (lvl, i) != (level, ident)]
        parent = nearest_overridden([*path_rows, LevelRow(level, ident, None, row.config)], level,
                                    policy_type)
        parent_id = by_node[(parent.level, parent.entity_id)].id if parent else None
        if (row.overrides_id, row.is_override) != (parent_id, parent_id is not None):
            # updated_at kept as it was: a link is bookkeeping, not a change anyone made to this
            # row, so "last changed by … at …" must not move (the column's onupdate would).
            db.session.execute(update(PolicyConfiguration).where(PolicyConfiguration.id == row.id)
                               .values(overrides_id=parent_id, is_override=parent_id is not None,
                                       updated_at=PolicyConfiguration.updated_at)
                               .execution_options(synchronize_session=False))

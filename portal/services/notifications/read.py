"""Reading notification configuration: the event catalog, a company's rows, a node's matrix.

A node's matrix (13 events × 4 channels) comes from a fixed number of queries whatever the size
of the company: the catalog, the rows of the nodes on its path (one query), and the names on the
path. Its navigation reads only the part of the hierarchy it lists (node_hierarchy). Both are
cached under the company's config generation, like every effective configuration.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort
from sqlalchemy import and_, false, or_, select

from portal.cache import cached
from portal.domain.inheritance import (
    Entity,
    LevelRow,
    NodeKey,
    Source,
    StaffMember,
    TreeInput,
    children_plan,
    entity_names,
)
from portal.domain.notifications import CHANNELS, KEYS, Event, ResolvedCell, resolve_cell
from portal.extensions import db
from portal.models import (
    EVENT_CATEGORIES,
    AuditEvent,
    NotificationConfiguration,
    NotificationEventMapping,
    Service,
    Staff,
    User,
    branch_services,
    staff_services,
)
from portal.services.organisation.hierarchy import TreePart, load_tree_input
from portal.services.policies.read import NodeRef, path_names
from portal.services.scope import Scope

CellKey = tuple[str, int, str, str]  # level, entity id, event type, channel


@dataclass(frozen=True)
class StoredCell:
    """A stored row: what one level sets for one (event, channel), and who changed it last."""

    id: int
    version: int
    settings: dict  # only the keys set at this level
    locked: bool
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class Hierarchy:
    """The part of the company's tree a navigation lists: offered services and performing staff
    per branch (only of the branches and services it opens)."""

    tree: TreeInput
    offered: dict[int, list[Entity]]
    performers: dict[tuple[int, int], list[StaffMember]]
    names: dict[NodeKey, str]


@dataclass(frozen=True)
class NodeMatrix:
    """Everything a node's pages show: the catalog, each resolved cell, this node's own rows."""

    events: tuple[Event, ...]
    cells: dict[tuple[str, str], ResolvedCell]  # (event type, channel) → effective settings
    own: dict[tuple[str, str], StoredCell]  # this node's rows
    names: dict[NodeKey, str]  # of the nodes on the path

    def cells_of(self, event_type: str) -> dict[str, ResolvedCell]:
        return {channel: self.cells[(event_type, channel)] for channel in CHANNELS}

    @property
    def last_change(self) -> StoredCell | None:
        """The most recently changed row of this node, for "last changed by … at …"."""
        return last_change(self.own)


@dataclass(frozen=True)
class NodeOutline:
    """What a node's matrix page shows around the matrix itself (whose HTML is cached apart):
    the catalog, this node's own rows, the names on the path. A fraction of the matrix to read."""

    events: tuple[Event, ...]
    own: dict[tuple[str, str], StoredCell]
    names: dict[NodeKey, str]

    @property
    def last_change(self) -> StoredCell | None:
        return last_change(self.own)


def last_change(own: dict[tuple[str, str], StoredCell]) -> StoredCell | None:
    """The most recently changed of a node's rows, for "last changed by … at …"."""
    return max(own.values(), key=lambda row: (row.updated_at, row.id), default=None)


def _event(row: NotificationEventMapping) -> Event:
    meta = row.meta or {}
    return Event(row.event_type, row.event_label, meta.get("label_de"), row.event_category,
                 tuple(row.default_channels or ()), row.description or "", bool(row.is_active),
                 tuple(meta.get("variables", ())), meta.get("timing", "immediately"),
                 meta.get("schedule_offset_hours"), meta.get("priority", "normal"))


def load_events() -> tuple[Event, ...]:
    """The event catalog, by category (booking, reminder, …) then as the migration listed it."""
    rows = db.session.scalars(select(NotificationEventMapping).order_by(NotificationEventMapping.id)).all()
    rank = {category: index for index, category in enumerate(EVENT_CATEGORIES)}
    return tuple(sorted((_event(row) for row in rows), key=lambda e: rank.get(e.category, len(rank))))


def check_event(events: tuple[Event, ...], event_type: str) -> Event:
    """The catalog event of that type, or 404."""
    event = next((event for event in events if event.event_type == event_type), None)
    if event is None:
        abort(404)
    return event


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        abort(404)
    return channel


def load_cells(company_id: int, path: tuple[NodeKey, ...]) -> dict[CellKey, StoredCell]:
    """The notification rows of the nodes on `path` in one company, with who changed each last
    (one query)."""
    on_path = or_(*(and_(NotificationConfiguration.configurable_type == level,
                         NotificationConfiguration.configurable_id == ident) for level, ident in path))
    stmt = (select(NotificationConfiguration, User.name)
            .outerjoin(User, User.id == NotificationConfiguration.updated_by_id)
            .where(*Scope.company(company_id).where(NotificationConfiguration), on_path))
    return {(row.configurable_type, row.configurable_id, row.event_type, row.channel): stored(row, name)
            for row, name in db.session.execute(stmt)}


def stored(row: NotificationConfiguration, updated_by: str | None) -> StoredCell:
    settings = {key: getattr(row, key) for key in KEYS if getattr(row, key) is not None}
    return StoredCell(row.id, row.version, settings, bool(row.locked), row.updated_at, updated_by)


def node_hierarchy(company_id: int, node: NodeRef | None = None, include_inactive: bool = False) -> Hierarchy:
    """The part of the hierarchy the navigation of `node` shows (the company's when None): every
    branch; the services of the branch on the path (or of every branch offering a service
    opened without a tree position); the staff of the service on the path (or of every service
    a staff member opened without one performs); deactivated nodes only with `include_inactive`
    (then marked). Cached per node, so a request reads a few names, never the whole hierarchy."""
    path = "/".join(f"{level}:{ident}" for level, ident in (node.path if node else ()))
    context = "/".join(f"{level}:{ident}" for level, ident in (node.context if node else ()))

    def build() -> TreeInput:
        return load_tree_input(company_id, _nav_part(node).with_inactive(include_inactive))

    key = f"notifications:nav:{path}:{context}{':all' if include_inactive else ''}"
    tree = cached(company_id, key, TreeInput, build)
    offered, performers = children_plan(tree)
    return Hierarchy(tree, offered, performers, entity_names(tree))


def _nav_part(node: NodeRef | None) -> TreePart:
    """What the navigation of `node` lists beyond the branches (see node_hierarchy)."""
    steps = dict(node.path) if node else {}
    offering, offered, performer, own = (branch_services.alias("offering"), branch_services.alias("offered"),
                                         staff_services.alias("performer"), staff_services.alias("own"))
    if node is not None and node.level == "service" and not node.context:
        listed: Any = select(offering.c.branch_id).where(offering.c.service_id == node.entity_id)
    elif "branch" in steps:
        listed = [steps["branch"]]
    else:
        return TreePart(offered=(false(),), with_staff=False)

    def shown(table):  # staff_services rows of the services whose staff the navigation lists
        if "service" in steps:
            return table.c.service_id == steps["service"]
        assert node is not None
        return table.c.service_id.in_(select(own.c.service_id).where(own.c.staff_id == node.entity_id))

    services = (Service.id.in_(select(offered.c.service_id).where(offered.c.branch_id.in_(listed))),)
    offered_at = (branch_services.c.branch_id.in_(listed),)
    if not ("service" in steps or (node is not None and node.level == "staff")):
        return TreePart(services=services, offered=offered_at, with_staff=False)
    at_branch = Staff.branch_id == steps.get("branch")
    return TreePart(services=services, offered=offered_at,
                    staff=(at_branch, Staff.id.in_(select(performer.c.staff_id).where(shown(performer)))),
                    performs=(at_branch, shown(staff_services)))


def resolve_matrix(events, stored_cells: dict[CellKey, StoredCell], node: NodeRef,
                   names: dict[NodeKey, str]) -> dict[tuple[str, str], ResolvedCell]:
    """Every (event, channel) of a node, resolved along its path, locks applied."""
    company_key = node.path[0]
    resolved = {}
    for event in events:
        for channel in CHANNELS:
            rows = []
            for level, ident in node.path:
                row = stored_cells.get((level, ident, event.event_type, channel))
                if row is not None:
                    rows.append(LevelRow(level, ident, names.get((level, ident)), row.settings))
            company_row = stored_cells.get((*company_key, event.event_type, channel))
            locked = company_row is not None and company_row.locked
            lock = Source(*company_key, names.get(company_key)) if locked else None
            resolved[(event.event_type, channel)] = resolve_cell(event, channel, rows, lock)
    return resolved


def node_matrix(company_id: int, node: NodeRef) -> NodeMatrix:
    """The node's whole matrix (cached under the config generation, and kept for the transaction:
    a node page builds its outline and its table from it)."""

    def build() -> NodeMatrix:
        events = load_events()
        stored_cells = load_cells(company_id, node.path)
        # A node without a name is left out: every reader looks names up with .get().
        names = {key: name for key, name in path_names(node).items() if name}
        own = {(event_type, channel): row for (level, ident, event_type, channel), row in stored_cells.items()
               if (level, ident) == node.key}
        return NodeMatrix(events, resolve_matrix(events, stored_cells, node, names), own, names)

    path = "/".join(f"{level}:{ident}" for level, ident in node.path)
    return cached(company_id, f"notifications:matrix:{path}", NodeMatrix, build, in_process=True)


def node_outline(company_id: int, node: NodeRef) -> NodeOutline:
    """The node's outline (cached under the config generation; built from its matrix)."""

    def build() -> NodeOutline:
        matrix = node_matrix(company_id, node)
        return NodeOutline(matrix.events, matrix.own, matrix.names)

    path = "/".join(f"{level}:{ident}" for level, ident in node.path)
    return cached(company_id, f"notifications:outline:{path}", NodeOutline, build)


def audit_entity(level: str) -> str:
    """entity_type of the audit events of one level's notification rows."""
    return f"notification:{level}"


def recent_changes(company_id: int, node: NodeRef, limit: int = 10) -> Sequence[AuditEvent]:
    """The latest audited changes of this node's notification rows, newest first."""
    return db.session.scalars(
        select(AuditEvent).where(*Scope.company(company_id).where(AuditEvent),
                                 AuditEvent.entity_type == audit_entity(node.level),
                                 AuditEvent.entity_id == node.entity_id)
        .order_by(AuditEvent.id.desc()).limit(limit)).all()

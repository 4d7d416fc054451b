"""Policy inheritance: key-by-key merge over Company → Branch → Service → Staff, with provenance.

Precedence, most specific first: staff > service > branch > company > type default. Each key of
the effective config comes from the most specific level that sets it, and remembers where it came
from and which ancestors it shadows. "unlimited" is an ordinary value, so a lower level can lift a
parent's limit by setting it. Configs are expected in the clean form of `validate_config`.
"""
from dataclasses import dataclass, field
from typing import AbstractSet, Any, Iterator, Mapping, Sequence

from .policy_schema import TYPE_DEFAULTS, key_specs

LEVELS = ("company", "branch", "service", "staff")
DEFAULT_LEVEL = "default"
_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a level and entity, or the type default."""

    level: str
    entity_id: int | None = None
    entity_name: str | None = None

    @property
    def label(self) -> str:
        """Human name of the source, e.g. "Branch Mitte" or "default"."""
        if self.level == DEFAULT_LEVEL:
            return DEFAULT_LEVEL
        return f"{self.level.capitalize()} {self.entity_name or f'#{self.entity_id}'}"


DEFAULT_SOURCE = Source(DEFAULT_LEVEL)


@dataclass(frozen=True)
class Effective:
    """The effective value of one key, where it comes from and what it shadows (nearest first)."""

    key: str
    value: Any
    source: Source
    overridden_sources: tuple[Source, ...] = ()
    overridden_values: tuple[Any, ...] = ()

    @property
    def is_default(self) -> bool:
        """True when no level sets the key and the type default applies."""
        return self.source.level == DEFAULT_LEVEL

    @property
    def is_override(self) -> bool:
        """True when the value shadows a value of an ancestor level or the default."""
        return bool(self.overridden_sources)

    @property
    def inherited_value(self) -> Any:
        """The value this key would have without its source level (None when there is none)."""
        return self.overridden_values[0] if self.overridden_values else None

    @property
    def same_as_inherited(self) -> bool:
        """True when the source level sets exactly the value it would have inherited."""
        return self.is_override and self.overridden_values[0] == self.value


@dataclass(frozen=True)
class LevelRow:
    """A policy row at one level of a path."""

    level: str
    entity_id: int
    entity_name: str | None
    config: Mapping[str, Any]

    @property
    def source(self) -> Source:
        """The provenance this row gives to the keys it sets."""
        return Source(self.level, self.entity_id, self.entity_name)


Resolved = dict[str, Effective]


def type_defaults(policy_type: str) -> Resolved:
    """The bottom layer of every merge: the type defaults, sourced "default"."""
    key_specs(policy_type)  # refuses an unknown type
    return {key: Effective(key, value, DEFAULT_SOURCE)
            for key, value in TYPE_DEFAULTS[policy_type].items()}


def merge_level(parent: Resolved, row: LevelRow | None) -> Resolved:
    """Lay one row over the merge of its ancestors; keys the row does not set pass through.

    A key the row sets shadows the parent's value and everything that value shadowed, so
    `overridden_sources` lists every ancestor that sets the key, nearest first.
    """
    if row is None or not row.config:
        return parent
    merged = dict(parent)
    source = row.source
    for key, value in row.config.items():
        if value is None:  # "not set here", never a value
            continue
        below = parent.get(key)
        if below is None:
            merged[key] = Effective(key, value, source)
        else:
            merged[key] = Effective(key, value, source,
                                    (below.source, *below.overridden_sources),
                                    (below.value, *below.overridden_values))
    return merged


def _ordered_rows(rows: Sequence[LevelRow | None]) -> list[LevelRow]:
    present = [row for row in rows if row is not None]
    unknown = [row.level for row in present if row.level not in _RANK]
    if unknown:
        raise ValueError(f"Unknown level {unknown[0]!r}")
    levels = [row.level for row in present]
    if len(set(levels)) != len(levels):
        raise ValueError("A path has at most one row per level")
    return sorted(present, key=lambda row: _RANK[row.level])


def _in_display_order(policy_type: str, merged: Resolved) -> Resolved:
    order = [spec.name for spec in key_specs(policy_type)]
    known = {key: merged[key] for key in order if key in merged}
    return known | {key: value for key, value in merged.items() if key not in known}


def resolve(policy_type: str, rows: Sequence[LevelRow | None]) -> Resolved:
    """Resolve the rows of one path (any order, None for a level without a row) key by key."""
    merged = type_defaults(policy_type)
    for row in _ordered_rows(rows):
        merged = merge_level(merged, row)
    return _in_display_order(policy_type, merged)


def effective_values(resolved: Mapping[str, Effective]) -> dict | None:
    """The plain merged config, or None when nothing is set anywhere and there are no defaults."""
    return {key: effective.value for key, effective in resolved.items()} or None


def describe(effective: Effective, at_level: str, at_entity_id: int | None) -> str:
    """Provenance label of a value as seen at one node.

    "overridden here" / "overrides, same value" when this node sets the key (the second when
    the value equals what it would inherit), "set here" when it sets a key nothing above sets,
    "inherited from Branch Mitte" when an ancestor sets it, "default" for a type default.
    """
    source = effective.source
    if source.level == at_level and source.entity_id == at_entity_id:
        if effective.same_as_inherited:
            return "overrides, same value"
        return "overridden here" if effective.is_override else "set here"
    if effective.is_default:
        return DEFAULT_LEVEL
    return f"inherited from {source.label}"


def nearest_overridden(rows: Sequence[LevelRow | None], at_level: str) -> LevelRow | None:
    """The nearest ancestor row sharing a key with the row at `at_level` (its overrides_id)."""
    ordered = _ordered_rows(rows)
    own = next((row for row in ordered if row.level == at_level), None)
    if own is None:
        return None
    keys = {key for key, value in own.config.items() if value is not None}
    ancestors = [row for row in ordered if _RANK[row.level] < _RANK[at_level]]
    for row in reversed(ancestors):
        if keys & {key for key, value in row.config.items() if value is not None}:
            return row
    return None


# --- whole-tree resolution ----------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """A company, branch or service as the tree needs it."""

    id: int
    name: str


@dataclass(frozen=True)
class StaffMember:
    """A staff member and their home branch."""

    id: int
    name: str
    branch_id: int | None


@dataclass(frozen=True)
class TreeInput:
    """One company's hierarchy as plain data, in display order.

    branch_services holds (branch_id, service_id) pairs, staff_services (staff_id, service_id).
    """

    company: Entity
    branches: Sequence[Entity] = ()
    services: Sequence[Entity] = ()
    staff: Sequence[StaffMember] = ()
    branch_services: AbstractSet[tuple[int, int]] = frozenset()
    staff_services: AbstractSet[tuple[int, int]] = frozenset()


NodeKey = tuple[str, int]


@dataclass
class TreeNode:
    """A node of the hierarchy tree with its effective values for its path."""

    level: str
    entity_id: int
    name: str
    path: tuple[NodeKey, ...]
    resolved: Resolved
    row: LevelRow | None
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def values(self) -> dict | None:
        """The plain effective config of this node."""
        return effective_values(self.resolved)

    def walk(self) -> Iterator["TreeNode"]:
        """This node and all nodes below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def _children_plan(tree: TreeInput) -> tuple[dict, dict]:
    """Services offered per branch and performers per (branch, service), in input order."""
    services = {service.id: service for service in tree.services}
    offered: dict[int, list[Entity]] = {}
    for branch_id, service_id in tree.branch_services:
        if service_id in services:
            offered.setdefault(branch_id, []).append(services[service_id])
    order = {service.id: rank for rank, service in enumerate(tree.services)}
    for group in offered.values():
        group.sort(key=lambda service: order[service.id])
    staff = {member.id: member for member in tree.staff}
    performers: dict[tuple[int, int], list[StaffMember]] = {}
    for staff_id, service_id in tree.staff_services:
        member = staff.get(staff_id)
        if member is not None:
            performers.setdefault((member.branch_id, service_id), []).append(member)
    staff_order = {member.id: rank for rank, member in enumerate(tree.staff)}
    for group in performers.values():
        group.sort(key=lambda member: staff_order[member.id])
    return offered, performers


def resolve_tree(policy_type: str, tree: TreeInput,
                 rows_by_node: Mapping[NodeKey, LevelRow]) -> TreeNode:
    """Resolve every node of Company → Branches → offered Services → performing Staff.

    Each node merges its own row over its parent's merge, so the work is O(nodes × keys). A
    service row applies to that service under every branch; a staff row to every node of that
    person.
    """
    offered, performers = _children_plan(tree)

    def node(level: str, entity: Entity | StaffMember, parent: TreeNode | None) -> TreeNode:
        row = rows_by_node.get((level, entity.id))
        below = parent.resolved if parent else type_defaults(policy_type)
        path = (parent.path if parent else ()) + ((level, entity.id),)
        resolved = _in_display_order(policy_type, merge_level(below, row))
        return TreeNode(level, entity.id, entity.name, path, resolved, row)

    root = node("company", tree.company, None)
    for branch in tree.branches:
        branch_node = node("branch", branch, root)
        root.children.append(branch_node)
        for service in offered.get(branch.id, ()):
            service_node = node("service", service, branch_node)
            branch_node.children.append(service_node)
            for member in performers.get((branch.id, service.id), ()):
                service_node.children.append(node("staff", member, service_node))
    return root

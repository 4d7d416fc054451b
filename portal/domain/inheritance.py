"""The hierarchy and its key-by-key inheritance, shared by policies and notifications.

Company → Branches → the Services offered at a branch → the Staff of that branch who perform the
service. Precedence, most specific first: staff > service > branch > company > default. Each key
of an effective config comes from the most specific level that sets it and remembers where it
came from and which ancestors it shadows. What "default" means (a policy type's defaults, the
event catalog) is up to the caller, which lays its defaults down as the bottom layer.
"""
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from portal.domain.messages import M_

LEVELS = ("company", "branch", "service", "staff")
DEFAULT_LEVEL = "default"
LEVEL_WORDS = {"company": M_("Company"), "branch": M_("Branch"), "service": M_("Service"),
               "staff": M_("Staff")}
RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a level and entity, or the default."""

    level: str
    entity_id: int | None = None
    entity_name: str | None = None

    @property
    def label(self) -> str:
        """Human name of the source, e.g. "Branch Mitte" or "default"."""
        if self.level == DEFAULT_LEVEL:
            return M_("default")
        return M_("%(level)s %(name)s", level=LEVEL_WORDS.get(self.level, self.level.capitalize()),
                  name=self.entity_name or "#" + str(self.entity_id))


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
        """True when no level sets the key and the default applies."""
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
    """The keys one level of a path sets (a value of None means "not set here")."""

    level: str
    entity_id: int
    entity_name: str | None
    config: Mapping[str, Any]

    @property
    def source(self) -> Source:
        """The provenance this row gives to the keys it sets."""
        return Source(self.level, self.entity_id, self.entity_name)


Resolved = dict[str, Effective]


def defaults_layer(defaults: Mapping[str, Any]) -> Resolved:
    """The bottom layer of a merge: every default value, sourced "default"."""
    return {key: Effective(key, value, DEFAULT_SOURCE) for key, value in defaults.items()}


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


def ordered_rows(rows: Sequence[LevelRow | None]) -> list[LevelRow]:
    """The rows of one path, company first; refuses unknown levels and two rows of one level."""
    present = [row for row in rows if row is not None]
    unknown = [row.level for row in present if row.level not in RANK]
    if unknown:
        raise ValueError(f"Unknown level {unknown[0]!r}")
    levels = [row.level for row in present]
    if len(set(levels)) != len(levels):
        raise ValueError("A path has at most one row per level")
    return sorted(present, key=lambda row: RANK[row.level])


def merge_path(bottom: Resolved, rows: Sequence[LevelRow | None]) -> Resolved:
    """Lay the rows of one path (any order, None for a level without a row) over `bottom`."""
    merged = bottom
    for row in ordered_rows(rows):
        merged = merge_level(merged, row)
    return merged


def describe(effective: Effective, at_level: str, at_entity_id: int | None,
             default_label: str = M_("default")) -> str:
    """Provenance label of a value as seen at one node.

    "overridden here" / "overrides, same value" when this node sets the key (the second when
    the value equals what it would inherit), "set here" when it sets a key nothing above sets,
    "inherited from Branch Mitte" when an ancestor sets it, `default_label` for a default.
    """
    source = effective.source
    if source.level == at_level and source.entity_id == at_entity_id:
        if effective.same_as_inherited:
            return M_("overrides, same value")
        return M_("overridden here") if effective.is_override else M_("set here")
    if effective.is_default:
        return default_label
    return M_("inherited from %(source)s", source=source.label)


# --- the hierarchy as plain data -----------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """A company, branch or service as the tree needs it."""

    id: int
    name: str
    active: bool = True


@dataclass(frozen=True)
class StaffMember:
    """A staff member and their home branch (None: company-wide, in no branch of the tree)."""

    id: int
    name: str
    branch_id: int | None
    active: bool = True


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


def children_plan(tree: TreeInput) -> tuple[dict, dict]:
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
    # Keyed by home branch; a member without one is kept under None, where no branch looks.
    performers: dict[tuple[int | None, int], list[StaffMember]] = {}
    for staff_id, service_id in tree.staff_services:
        member = staff.get(staff_id)
        if member is not None:
            performers.setdefault((member.branch_id, service_id), []).append(member)
    staff_order = {member.id: rank for rank, member in enumerate(tree.staff)}
    for members in performers.values():
        members.sort(key=lambda member: staff_order[member.id])
    return offered, performers


def entity_names(tree: TreeInput) -> dict[NodeKey, str]:
    """Name of every node of the hierarchy, by (level, id)."""
    names = {("company", tree.company.id): tree.company.name}
    for level, entities in (("branch", tree.branches), ("service", tree.services),
                            ("staff", tree.staff)):
        names.update({(level, entity.id): entity.name for entity in entities})
    return names


def inactive_nodes(tree: TreeInput) -> frozenset[NodeKey]:
    """The deactivated branches, services and staff of a hierarchy (shown marked, when shown)."""
    return frozenset((level, entity.id) for level, entities in (
        ("branch", tree.branches), ("service", tree.services), ("staff", tree.staff))
        for entity in entities if not entity.active)

"""Policy inheritance: key-by-key merge over Company → Branch → Service → Staff, with provenance.

Precedence, most specific first: staff > service > branch > company > type default. Each key of
the effective config comes from the most specific level that sets it, and remembers where it came
from and which ancestors it shadows. "unlimited" is an ordinary value, so a lower level can lift a
parent's limit by setting it. Configs are expected in the clean form of `validate_config`.

Grouped keys (KEY_GROUPS: the fee rule) resolve as one setting: every key of the group comes from
the most specific level that sets any of them. A group key that a less specific level sets is
"set aside" there: not part of the effective config, kept apart so pages can say why it is not used.
"""
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from portal.domain.inheritance import (  # noqa: F401  (re-exported: the policy side's names for them)
    DEFAULT_LEVEL,
    DEFAULT_SOURCE,
    LEVELS,
    RANK,
    Effective,
    Entity,
    LevelRow,
    NodeKey,
    Resolved,
    Source,
    StaffMember,
    TreeInput,
    children_plan,
    defaults_layer,
    describe,
    merge_level,
    ordered_rows,
)
from portal.domain.policy_schema import KEY_GROUPS, TYPE_DEFAULTS, key_specs


def type_defaults(policy_type: str) -> Resolved:
    """The bottom layer of every merge: the type defaults, sourced "default"."""
    key_specs(policy_type)  # refuses an unknown type
    return defaults_layer(TYPE_DEFAULTS[policy_type])


def _in_display_order(policy_type: str, merged: Resolved) -> Resolved:
    order = [spec.name for spec in key_specs(policy_type)]
    known = {key: merged[key] for key in order if key in merged}
    return known | {key: value for key, value in merged.items() if key not in known}


def apply_groups(policy_type: str, merged: Mapping[str, Effective]) -> tuple[Resolved, Resolved]:
    """(effective values, set-aside values) of a key-by-key merge under the type's key groups.

    In each group the level that decides is the most specific one setting any of its keys (in a
    key-by-key merge each key's source is the most specific level setting it, so the decider is
    the most specific of those sources); the group's keys from other levels are set aside.
    """
    used, set_aside = dict(merged), {}
    for group in KEY_GROUPS.get(policy_type, ()):
        present = [merged[key] for key in group if key in merged]
        if not present:
            continue
        decider = max(present, key=lambda effective: RANK.get(effective.source.level, -1)).source
        for effective in present:
            if effective.source != decider:
                set_aside[effective.key] = used.pop(effective.key)
    return used, set_aside


def group_decider(policy_type: str, key: str, resolved: Mapping[str, Effective]) -> Source | None:
    """The level whose rule decides the group `key` belongs to (None: no group, or none set)."""
    for group in KEY_GROUPS.get(policy_type, ()):
        if key in group:
            return next((resolved[other].source for other in group if other in resolved), None)
    return None


def resolve_with_set_aside(policy_type: str, rows: Sequence[LevelRow | None]) -> tuple[Resolved, Resolved]:
    """Resolve the rows of one path (any order, None for a level without a row): the effective
    values in display order, and the grouped keys set aside because a more specific level decides."""
    merged = type_defaults(policy_type)
    for row in ordered_rows(rows):
        merged = merge_level(merged, row)
    used, set_aside = apply_groups(policy_type, merged)
    return _in_display_order(policy_type, used), set_aside


def resolve(policy_type: str, rows: Sequence[LevelRow | None]) -> Resolved:
    """Resolve the rows of one path (any order, None for a level without a row): the effective
    values, key by key and group by group."""
    return resolve_with_set_aside(policy_type, rows)[0]


def effective_values(resolved: Mapping[str, Effective]) -> dict | None:
    """The plain merged config, or None when nothing is set anywhere and there are no defaults."""
    return {key: effective.value for key, effective in resolved.items()} or None


def _settings(policy_type: str | None, config: Mapping) -> set[str]:
    """The keys a config sets, a key group counting as one setting (named by all its keys)."""
    keys = {key for key, value in config.items() if value is not None}
    for group in KEY_GROUPS.get(policy_type or "", ()):
        if keys & set(group):
            keys |= set(group)
    return keys


def nearest_overridden(rows: Sequence[LevelRow | None], at_level: str,
                       policy_type: str | None = None) -> LevelRow | None:
    """The nearest ancestor row sharing a setting with the row at `at_level` (its overrides_id);
    with `policy_type`, a row setting any fee key overrides an ancestor's fee rule."""
    ordered = ordered_rows(rows)
    own = next((row for row in ordered if row.level == at_level), None)
    if own is None:
        return None
    keys = _settings(policy_type, own.config)
    ancestors = [row for row in ordered if RANK[row.level] < RANK[at_level]]
    for row in reversed(ancestors):
        if keys & _settings(policy_type, row.config):
            return row
    return None


# --- whole-tree resolution ----------------------------------------------------------------


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
    set_aside: Resolved = field(default_factory=dict)  # grouped keys a more specific level decides

    @property
    def values(self) -> dict | None:
        """The plain effective config of this node."""
        return effective_values(self.resolved)

    def walk(self) -> Iterator["TreeNode"]:
        """This node and all nodes below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def resolve_tree(policy_type: str, tree: TreeInput,
                 rows_by_node: Mapping[NodeKey, LevelRow]) -> TreeNode:
    """Resolve every node of Company → Branches → offered Services → performing Staff.

    Each node merges its own row over its parent's merge, so the work is O(nodes × keys). A
    service row applies to that service under every branch; a staff row to every node of that
    person.
    """
    offered, performers = children_plan(tree)
    merges: dict[int, Resolved] = {}  # id(node) -> its key-by-key merge, before the groups apply

    def node(level: str, entity: Entity | StaffMember, parent: TreeNode | None) -> TreeNode:
        row = rows_by_node.get((level, entity.id))
        below = merges[id(parent)] if parent else type_defaults(policy_type)
        path = (parent.path if parent else ()) + ((level, entity.id),)
        merged = merge_level(below, row)
        used, set_aside = apply_groups(policy_type, merged)
        made = TreeNode(level, entity.id, entity.name, path, _in_display_order(policy_type, used), row,
                        set_aside=set_aside)
        merges[id(made)] = merged
        return made

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

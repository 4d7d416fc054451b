"""Policy inheritance: key-by-key merge over Company → Branch → Service → Staff, with provenance.

Precedence, most specific first: staff > service > branch > company > type default. Each key of
the effective config comes from the most specific level that sets it, and remembers where it came
from and which ancestors it shadows. "unlimited" is an ordinary value, so a lower level can lift a
parent's limit by setting it. Configs are expected in the clean form of `validate_config`.
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
from portal.domain.policy_schema import TYPE_DEFAULTS, key_specs


def type_defaults(policy_type: str) -> Resolved:
    """The bottom layer of every merge: the type defaults, sourced "default"."""
    key_specs(policy_type)  # refuses an unknown type
    return defaults_layer(TYPE_DEFAULTS[policy_type])


def _in_display_order(policy_type: str, merged: Resolved) -> Resolved:
    order = [spec.name for spec in key_specs(policy_type)]
    known = {key: merged[key] for key in order if key in merged}
    return known | {key: value for key, value in merged.items() if key not in known}


def resolve(policy_type: str, rows: Sequence[LevelRow | None]) -> Resolved:
    """Resolve the rows of one path (any order, None for a level without a row) key by key."""
    merged = type_defaults(policy_type)
    for row in ordered_rows(rows):
        merged = merge_level(merged, row)
    return _in_display_order(policy_type, merged)


def effective_values(resolved: Mapping[str, Effective]) -> dict | None:
    """The plain merged config, or None when nothing is set anywhere and there are no defaults."""
    return {key: effective.value for key, effective in resolved.items()} or None


def nearest_overridden(rows: Sequence[LevelRow | None], at_level: str) -> LevelRow | None:
    """The nearest ancestor row sharing a key with the row at `at_level` (its overrides_id)."""
    ordered = ordered_rows(rows)
    own = next((row for row in ordered if row.level == at_level), None)
    if own is None:
        return None
    keys = {key for key, value in own.config.items() if value is not None}
    ancestors = [row for row in ordered if RANK[row.level] < RANK[at_level]]
    for row in reversed(ancestors):
        if keys & {key for key, value in row.config.items() if value is not None}:
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

"""Impact preview: what saving one policy row would change across a company's tree."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal.domain.policies import (
    LEVELS,
    Entity,
    LevelRow,
    NodeKey,
    Resolved,
    StaffMember,
    TreeInput,
    TreeNode,
    resolve_tree,
)


@dataclass(frozen=True)
class NodeChange:
    """A node whose effective values change: key -> (old, new); None means "not set"."""

    path: tuple[NodeKey, ...]
    names: tuple[str, ...]
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class KeptOverride:
    """A node in the changed row's reach that keeps its own value for some changed keys."""

    path: tuple[NodeKey, ...]
    names: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Impact:
    """What saving a proposed config for one row would change across the tree."""

    changed_keys: tuple[str, ...]
    changed_nodes: tuple[NodeChange, ...]
    kept_overrides: tuple[KeptOverride, ...]

    @property
    def changed_count(self) -> int:
        """Number of nodes whose effective values change."""
        return len(self.changed_nodes)

    @property
    def kept_count(self) -> int:
        """Number of nodes that keep their own override for a changed key."""
        return len(self.kept_overrides)


def impact_of_change(policy_type: str, tree: TreeInput, rows_by_node: Mapping[NodeKey, LevelRow],
                     level: str, entity_id: int, new_config: Mapping[str, Any] | None) -> Impact:
    """Preview saving `new_config` (None or {} removes the row) at (level, entity_id).

    Changed nodes are those whose effective values differ afterwards. Kept overrides are the
    nodes below the changed row whose own row sets a changed key, so they are not affected.
    """
    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}")
    old_row = rows_by_node.get((level, entity_id))
    old_config = dict(old_row.config) if old_row else {}
    new_config = dict(new_config or {})
    changed_keys = tuple(sorted(key for key in old_config.keys() | new_config.keys()
                                if old_config.get(key) != new_config.get(key)))
    before = resolve_tree(policy_type, tree, rows_by_node)
    after = resolve_tree(policy_type, tree, _rows_after(tree, rows_by_node, (level, entity_id),
                                                        new_config))
    changed, kept = [], []
    for old_node, new_node, names in _paired_nodes(before, after):
        changes = _value_changes(old_node.resolved, new_node.resolved)
        if changes:
            changed.append(NodeChange(new_node.path, names, changes))
        own_keys = _keys_kept_below(new_node, (level, entity_id), changed_keys)
        if own_keys:
            kept.append(KeptOverride(new_node.path, names, own_keys))
    return Impact(changed_keys, tuple(changed), tuple(kept))


def _rows_after(tree: TreeInput, rows_by_node: Mapping[NodeKey, LevelRow], changed: NodeKey,
                new_config: dict) -> dict[NodeKey, LevelRow]:
    """The rows as they would be after saving, without touching the caller's mapping."""
    rows = dict(rows_by_node)
    rows.pop(changed, None)
    if new_config:
        level, entity_id = changed
        groups: dict[str, Sequence[Entity | StaffMember]] = {
            "company": [tree.company], "branch": tree.branches,
            "service": tree.services, "staff": tree.staff}
        name = next((entity.name for entity in groups[level] if entity.id == entity_id), None)
        rows[changed] = LevelRow(level, entity_id, name, new_config)
    return rows


def _paired_nodes(before: TreeNode, after: TreeNode, names: tuple[str, ...] = ()):
    """Walk two trees of the same shape together, yielding (old, new, names along the path)."""
    names = (*names, after.name)
    yield before, after, names
    for old_child, new_child in zip(before.children, after.children, strict=True):
        yield from _paired_nodes(old_child, new_child, names)


def _value_changes(old: Resolved, new: Resolved) -> dict[str, tuple[Any, Any]]:
    keys = [key for key in old if key not in new] + list(new)
    values = {key: (old[key].value if key in old else None, new[key].value if key in new else None)
              for key in keys}
    return {key: pair for key, pair in values.items() if pair[0] != pair[1]}


def _keys_kept_below(node: TreeNode, changed: NodeKey, keys: tuple[str, ...]) -> tuple[str, ...]:
    """Changed keys this node sets itself, when it lies below the changed row."""
    if changed not in node.path or node.path[-1] == changed:
        return ()
    here = (node.level, node.entity_id)
    return tuple(key for key in keys if key in node.resolved
                 and (node.resolved[key].source.level, node.resolved[key].source.entity_id) == here)

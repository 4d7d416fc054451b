"""The tree's cells and fee rules with their words already said, each distinct one once a page.

A one-branch tree prints some 1,300 cells, but most are the same few dozen: a value inherited
from the company reads the same at every node below it. The resolver shares one `Effective` per
value between a node and the nodes that inherit it, so a cell is decided by that object and by
whether the node itself is its source. Saying each distinct cell once (Messages translated here,
not per output) is what keeps a large branch cheap to render.
"""
from collections.abc import Callable
from functools import partial
from typing import Any

from portal.domain.policies import TreeNode, group_decider
from portal.domain.policy_schema import KEY_GROUPS, key_specs
from portal.translations.runtime import translated


class PageWords:
    """What one page has said, by a key that decides the words: each made once."""

    def __init__(self) -> None:
        self._said: dict[Any, Any] = {}

    def say(self, key: Any, make: Callable[[], Any]) -> Any:
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = make()
        return said


def _is_here(source, node: TreeNode) -> bool:
    return source is not None and source.level == node.level and source.entity_id == node.entity_id


def _cell_key(policy_type: str, name: str, node: TreeNode) -> tuple:
    """What decides a cell at this node (see the module docstring)."""
    effective = node.resolved.get(name)
    if effective is not None:
        return (name, id(effective), _is_here(effective.source, node))
    aside = node.set_aside.get(name)
    if aside is None:
        return (name, "unset")
    decider = group_decider(policy_type, name, node.resolved)
    return (name, id(aside), decider, _is_here(decider, node))


def tree_cells(policy_type: str, node: TreeNode, words: PageWords, make_cell: Callable) -> tuple:
    """The node's cells in schema order, words said; `make_cell(spec)` builds one (Messages).
    Nodes whose cells read the same share one tuple (so the page renders it once, see Once)."""
    specs = key_specs(policy_type)
    keys = tuple(("cell", *_cell_key(policy_type, spec.name, node)) for spec in specs)

    def cells() -> tuple:
        return tuple(words.say(key, partial(_said_cell_of, make_cell, spec))
                     for key, spec in zip(keys, specs, strict=True))

    return words.say(keys, cells)


def _said_cell_of(make_cell: Callable, spec):
    return said_cell(make_cell(spec))


def said_cell(cell):
    """A Cell with its label, value and provenance in the page's language."""
    return cell.__class__(cell.key, translated(cell.label), translated(cell.value), cell.kind,
                          translated(cell.provenance))


def tree_fee(policy_type: str, node: TreeNode, words: PageWords, make_fee: Callable):
    """The node's fee rule (None without fees), said once per distinct rule and position."""
    groups = KEY_GROUPS.get(policy_type)
    if not groups:
        return None
    keys = [key for group in groups for key in group]
    decider = next((node.resolved[key].source for key in keys if key in node.resolved), None)
    key = ("fee", tuple(id(node.resolved.get(name)) for name in keys),
           tuple(id(effective) for effective in node.set_aside.values()), _is_here(decider, node))
    return words.say(key, make_fee)

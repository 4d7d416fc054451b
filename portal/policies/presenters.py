"""Plain values the policy templates render: nodes, cells with provenance, filters."""
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask_babel import ngettext

from portal.domain.decisions import FeeRule, fee_rule
from portal.domain.messages import M_
from portal.domain.policies import Effective, TreeNode, describe, group_decider
from portal.domain.policy_schema import KEY_GROUPS, display_value, key_specs
from portal.policies.tree_words import PageWords, tree_cells, tree_fee
from portal.services.policies.read import RowInfo
from portal.services.policies.tree import TreeShape, listed_to
from portal.translations.runtime import translated

LEVEL_LABELS = {"company": M_("Company"), "branch": M_("Branch"), "service": M_("Service"),
                "staff": M_("Staff")}
# A level inside a sentence ("16 staff nodes below Service 00"): lower case in English, a noun in German.
LEVEL_WORDS = {"branch": M_("branch"), "service": M_("service"), "staff": M_("staff")}
# Above this many nodes the unfiltered tree stops at services; staff appear per branch or search.
FULL_TREE_UP_TO = 1500
SERVICES_UP_TO = 400  # a larger chain's whole-company view lists its branches, each linking to its services


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    value: str
    kind: str  # here | same | set | inherited | default | unset | unused
    provenance: str


@dataclass
class NodeView:
    level: str
    entity_id: int
    name: str
    cells: tuple[Cell, ...]  # shared by the nodes whose cells read the same
    row: RowInfo | None
    is_open: bool
    match: bool = False
    children: list["NodeView"] = field(default_factory=list)
    hidden_children: int = 0  # children of `hidden_level` this view leaves out (shown on the branch's view)
    hidden_level: str = "staff"
    hidden_nodes: int = 0  # all nodes below it this view leaves out
    branch_id: int | None = None
    context: tuple[tuple[str, int], ...] = ()
    active: bool = True
    fee_rule: "FeeView | None" = None
    own_count: int = 0  # cells this node sets itself
    listed_to: str = "staff"  # the root: the deepest level the view lists

    @property
    def link_args(self) -> str:
        """The query string of the node's editor link ("?branch=3"): its tree position."""
        return "?" + urlencode(self.context) if self.context else ""


OWN_KINDS = frozenset({"here", "same", "set"})


@dataclass(frozen=True)
class FeeView:
    """Which fee rule decides at a node, and from where, in the words of the tree."""

    kind: str  # tiers | fixed | percentage | none
    text: str
    where: str  # "set here", "inherited from Service Colouring", ""
    not_used: tuple[str, ...]
    summary: str = ""  # "2 fee settings not used", when said ahead (the tree)


def fee_view(policy_type: str, resolved: dict[str, Effective], set_aside: dict[str, Effective],
             level: str, entity_id: int) -> FeeView | None:
    """The node's fee rule (None for policy types without fees)."""
    if not KEY_GROUPS.get(policy_type):
        return None
    rule: FeeRule = fee_rule(resolved, set_aside, policy_type)
    where = ""
    if rule.source is not None:
        here = (rule.source.level, rule.source.entity_id) == (level, entity_id)
        source = M_("Company") if rule.source.level == "company" else rule.source.label  # as the cells say it
        where = M_("set here") if here else M_("inherited from %(source)s", source=source)
    return FeeView(rule.kind, rule.text, where, rule.not_used)


def provenance_kind(label: str) -> str:
    if label == "overridden here":
        return "here"
    if label == "overrides, same value":
        return "same"
    if label == "set here":
        return "set"
    return "default" if label == "default" else "inherited"


def _unused_cell(policy_type: str, spec, effective: Effective, resolved: dict[str, Effective],
                 level: str, entity_id: int) -> Cell:
    decider = group_decider(policy_type, spec.name, resolved)
    here = decider is not None and (decider.level, decider.entity_id) == (level, entity_id)
    if here:
        why = M_("not used: the fee rule set here applies (this value is from %(source)s)",
                 source=effective.source.label)
    elif decider:
        why = M_("not used: the fee rule of %(decider)s applies (this value is from %(source)s)",
                 decider=decider.label, source=effective.source.label)
    else:
        why = M_("not used: the fee rule below applies (this value is from %(source)s)",
                 source=effective.source.label)
    return Cell(spec.name, spec.label, display_value(policy_type, spec.name, effective.value), "unused", why)


def cells_for(policy_type: str, resolved: dict[str, Effective], level: str, entity_id: int,
              set_aside: dict[str, Effective] | None = None) -> list[Cell]:
    """One cell per key of the type, in schema order; unset keys say "not set", grouped keys a
    more specific level decides say "not used" and whose rule applies instead."""
    return [cell_for(policy_type, spec, resolved, level, entity_id, set_aside)
            for spec in key_specs(policy_type)]


def cell_for(policy_type: str, spec, resolved: dict[str, Effective], level: str, entity_id: int,
             set_aside: dict[str, Effective] | None = None) -> Cell:
    """The cell of one key at a node (see cells_for)."""
    effective = resolved.get(spec.name)
    if effective is None and set_aside and spec.name in set_aside:
        return _unused_cell(policy_type, spec, set_aside[spec.name], resolved, level, entity_id)
    if effective is None:
        return Cell(spec.name, spec.label, M_("not set"), "unset", M_("no rule at any level"))
    label = describe(effective, level, entity_id)
    if effective.source.level == "company" and label.startswith("inherited"):
        label = M_("inherited from %(source)s",
                   source=M_("Company"))  # one company per tenant: its name adds only noise
    return Cell(spec.name, spec.label, display_value(policy_type, spec.name, effective.value),
                provenance_kind(label), label)


def build_tree_view(policy_type: str, root: TreeNode, rows: dict, branch_id: int | None,
                    query: str, shape: TreeShape | None = None,
                    inactive: frozenset = frozenset()) -> NodeView | None:
    """The visible tree: narrowed to one branch and/or to nodes whose name matches `query`;
    the nodes in `inactive` are marked so. `shape` is the whole tree's size when `root` holds
    only part of it (no staff)."""
    needle = query.strip().lower()
    depth = "staff" if branch_id or needle else _listed_to(root, shape)
    words = PageWords()
    staff_at: Counter[int] = Counter()  # staff below each branch's services, from the shape
    for (branch, _), count in (shape.staff_below.items() if shape is not None and depth == "branch" else ()):
        staff_at[branch] += count

    def cut(node: TreeNode, level: str, children: int, below: int) -> NodeView:
        """A node whose children this view leaves to the branch's own view."""
        view = _node_view(policy_type, node, rows, words, False)
        view.hidden_children, view.hidden_level, view.hidden_nodes = children, level, below
        view.branch_id, view.active = node.path[1][1], (node.level, node.entity_id) not in inactive
        return view

    def visit(node: TreeNode, depth_shown: int) -> NodeView | None:
        if node.level == "branch" and branch_id and node.entity_id != branch_id:
            return None
        if depth == "branch" and node.level == "branch":
            if shape is not None:
                services, staff = shape.services_below.get(node.entity_id, 0), staff_at[node.entity_id]
            else:
                services, staff = len(node.children), sum(len(child.children) for child in node.children)
            return cut(node, "service", services, services + staff)
        if depth == "service" and node.level == "service":
            branch = node.path[1][1]
            below = shape.staff_below.get((branch, node.entity_id), 0) if shape else len(node.children)
            return cut(node, "staff", below, below)
        children = [child_view for child in node.children if (child_view := visit(child, depth_shown + 1))]
        match = bool(needle) and needle in node.name.lower()
        if needle and not match and not children:
            return None
        is_open = depth_shown == 0 or bool(needle and children) or (depth_shown == 1 and bool(branch_id))
        view = _node_view(policy_type, node, rows, words, is_open, match)
        view.children, view.active = children, (node.level, node.entity_id) not in inactive
        return view

    view = visit(root, 0)
    if view is not None:
        view.listed_to = depth
    return view


def _listed_to(root: TreeNode, shape: TreeShape | None) -> str:
    """How deep the whole-company view lists (services.policies.tree.listed_to), from the shape
    or, given the whole tree, from the tree itself."""
    if shape is not None:
        return listed_to(shape.nodes, shape.down_to_services, FULL_TREE_UP_TO, SERVICES_UP_TO)
    levels = [node.level for node in root.walk()]
    down_to_services = sum(1 for level in levels if level != "staff")
    return listed_to(len(levels), down_to_services, FULL_TREE_UP_TO, SERVICES_UP_TO)


def _node_view(policy_type: str, node: TreeNode, rows: dict, words: PageWords, is_open: bool,
               match: bool = False) -> NodeView:
    """A node of the tree page, its words said (each distinct cell and fee rule once a page)."""
    level, entity_id, resolved, set_aside = node.level, node.entity_id, node.resolved, node.set_aside
    cells = tree_cells(policy_type, node, words,
                       lambda spec: cell_for(policy_type, spec, resolved, level, entity_id, set_aside))
    fee = tree_fee(policy_type, node, words,
                   lambda: said_fee(fee_view(policy_type, resolved, set_aside, level, entity_id)))
    return NodeView(level, entity_id, node.name, cells, rows.get((level, entity_id)), is_open, match,
                    context=tree_context(node), fee_rule=fee,
                    own_count=sum(1 for cell in cells if cell.kind in OWN_KINDS))


def said_fee(view: FeeView | None) -> FeeView | None:
    """A fee rule with its words in the page's language."""
    if view is None:
        return None
    count = len(view.not_used)
    return FeeView(view.kind, translated(view.text), translated(view.where),
                   tuple(translated(text) for text in view.not_used),
                   ngettext("%(num)s fee setting not used", "%(num)s fee settings not used", count))


def tree_context(node: TreeNode) -> tuple[tuple[str, int], ...]:
    """URL args that open a node's editor at this tree position (see policy_read.node_ref)."""
    if node.level == "service":
        return (("branch", node.path[1][1]),)
    if node.level == "staff":
        return (("service", node.path[2][1]),)
    return ()


def count_nodes(view: NodeView | None) -> tuple[int, int]:
    """(nodes shown, nodes left out of this view until a branch is picked)."""
    if view is None:
        return 0, 0
    shown, hidden = 1, view.hidden_nodes
    for child in view.children:
        child_shown, child_hidden = count_nodes(child)
        shown, hidden = shown + child_shown, hidden + child_hidden
    return shown, hidden


@dataclass(frozen=True)
class EditorRow:
    spec: object
    cell: Cell
    inherited_value: str
    inherited_from: str
    mode: str
    typed: str
    error: str | None


def _as_input(spec, value) -> str:
    from portal.policies.forms import tiers_to_text

    if value is None:
        return ""
    if spec.kind == "tiers":
        return tiers_to_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def editor_rows(policy_type: str, resolved: dict[str, Effective], cells: dict[str, Cell],
                own_config: dict, entry) -> list[EditorRow]:
    """Per key: what is inherited (value and source) and what the form shows or was sent."""
    rows = []
    for spec in key_specs(policy_type):
        effective = resolved.get(spec.name)
        if spec.name in own_config:
            overridden = effective.overridden_sources if effective else ()
            parent_value = effective.inherited_value if effective and overridden else None
            parent_from = overridden[0].label if overridden else None
        else:
            parent_value = effective.value if effective else None
            parent_from = effective.source.label if effective else None
        own = own_config.get(spec.name)
        mode = entry.modes.get(spec.name) or ("unlimited" if own == "unlimited" else
                                               "override" if spec.name in own_config else "inherit")
        typed = entry.typed.get(spec.name, _as_input(spec, own if own != "unlimited" else None))
        rows.append(EditorRow(
            spec, cells[spec.name],
            display_value(policy_type, spec.name,
                          parent_value) if parent_value is not None else M_("not set"),
            parent_from or "", mode, typed, entry.errors.get(spec.name)))
    return rows


@dataclass(frozen=True)
class ImpactLine:
    """One node of an impact preview, in words: its path and each change ("Fee: 15.00 EUR → not set")."""

    names: str
    changes: tuple[tuple[str, str, str], ...]  # (label, before, after)


def impact_lines(policy_type: str, impact, limit: int = 200) -> list[ImpactLine]:
    """The changed nodes of an impact preview with the settings' labels and shown values."""
    labels = {spec.name: spec.label for spec in key_specs(policy_type)}

    def shown(key: str, value) -> str:
        return M_("not set") if value is None else display_value(policy_type, key, value)

    return [ImpactLine(" › ".join(change.names),
                       tuple((labels.get(key, key), shown(key, old), shown(key, new))
                             for key, (old, new) in change.changes.items()))
            for change in impact.changed_nodes[:limit]]

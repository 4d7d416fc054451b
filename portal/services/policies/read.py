"""Reading policies: a company's rows, the whole tree, one node's resolution, effective_policy()."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask import abort
from sqlalchemy import ColumnElement, and_, false, or_, select

from portal.cache import cached
from portal.domain.inheritance import entity_names
from portal.domain.policies import (
    LevelRow,
    NodeKey,
    Resolved,
    TreeInput,
    TreeNode,
    resolve_tree,
    resolve_with_set_aside,
)
from portal.domain.policy_schema import POLICY_TYPES
from portal.extensions import db
from portal.models import Branch, Company, PolicyConfiguration, Service, Staff, User
from portal.services.organisation.hierarchy import WHOLE, load_tree_input
from portal.services.scope import Scope

LEVEL_MODELS: dict[str, type[Company | Branch | Service | Staff]] = {
    "company": Company, "branch": Branch, "service": Service, "staff": Staff}


@dataclass(frozen=True)
class RowInfo:
    """A live policy row as pages show it."""

    id: int
    version: int
    config: dict
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class PolicyTree:
    tree_input: TreeInput
    root: TreeNode
    rows: dict[NodeKey, RowInfo]


@dataclass(frozen=True)
class NodeRef:
    """One node of the hierarchy, checked to belong to the company."""

    level: str
    entity_id: int
    name: str
    path: tuple[NodeKey, ...]  # company, (branch,) (service,) this node
    context: tuple[tuple[str, int], ...] = ()  # the tree position it was opened from, as URL args
    active: bool = True  # False: deactivated; its rows are kept and shown as inactive

    @property
    def key(self) -> NodeKey:
        return (self.level, self.entity_id)


def check_policy_type(policy_type: str) -> str:
    if policy_type not in POLICY_TYPES:
        abort(404)
    return policy_type


def load_rows(company_id: int, policy_type: str,
              nodes: Iterable[NodeKey] | None = None) -> dict[NodeKey, RowInfo]:
    """The live rows of one type in one company (only those of `nodes` when given), with who
    changed each last (one query, served by the live-row key)."""
    stmt = (
        select(PolicyConfiguration, User.name)
        .outerjoin(User, User.id == PolicyConfiguration.updated_by_id)
        .where(*Scope.company(company_id).where(PolicyConfiguration),
               PolicyConfiguration.policy_type == policy_type,
               PolicyConfiguration.live.is_(True))
    )
    if nodes is not None:
        stmt = stmt.where(_of_nodes(nodes))
    return {
        (row.configurable_type, row.configurable_id):
            RowInfo(row.id, row.version, dict(row.config), row.updated_at, updated_by)
        for row, updated_by in db.session.execute(stmt)
    }


def _of_nodes(nodes: Iterable[NodeKey]) -> ColumnElement[bool]:
    """Criterion: a row of one of these nodes (one IN list per level)."""
    by_level: dict[str, set[int]] = {}
    for level, ident in nodes:
        by_level.setdefault(level, set()).add(ident)
    return or_(false(), *(and_(PolicyConfiguration.configurable_type == level,
                               PolicyConfiguration.configurable_id.in_(sorted(ids)))
                          for level, ids in by_level.items()))


def level_rows(tree_input: TreeInput, rows: dict[NodeKey, RowInfo]) -> dict[NodeKey, LevelRow]:
    names = entity_names(tree_input)
    return {key: LevelRow(key[0], key[1], names.get(key), info.config) for key, info in rows.items()}


def company_tree(company_id: int, policy_type: str, include_inactive: bool = False) -> PolicyTree:
    """The whole resolved tree of one policy type, from a fixed number of queries (not cached:
    pages resolve only the part they show, see portal/services/policies/tree.py; the impact
    preview needs all of it). Deactivated nodes are left out unless `include_inactive`."""
    tree_input = load_tree_input(company_id, WHOLE.with_inactive(include_inactive))
    rows = load_rows(company_id, policy_type)
    resolved = resolve_tree(policy_type, tree_input, level_rows(tree_input, rows))
    return PolicyTree(tree_input, resolved, rows)


def _company_entity(model, company_id: int, entity_id):
    owner = model.id if model is Company else model.company_id
    return db.session.scalar(select(model).where(model.id == entity_id, owner == company_id))


def node_ref(company_id: int, level: str, entity_id: int, branch_id: int | None = None,
             service_id: int | None = None) -> NodeRef:
    """The node (level, entity_id) of this company, or 404.

    A service opened from under a branch (`branch_id`), or a staff member from under a service
    (`service_id`), is resolved along that tree path, so the editor shows what the tree showed.
    Context that is not this company's is ignored.
    """
    model = LEVEL_MODELS.get(level)
    entity = _company_entity(model, company_id, entity_id) if model else None
    if entity is None:
        abort(404)
    if level == "service" and branch_id and _company_entity(Branch, company_id, branch_id):
        return make_node_ref(company_id, entity, via_branch=branch_id)
    if level == "staff" and service_id and _company_entity(Service, company_id, service_id):
        return make_node_ref(company_id, entity, via_service=service_id)
    return make_node_ref(company_id, entity)


def make_node_ref(company_id: int, entity, via_branch: int | None = None,
                  via_service: int | None = None) -> NodeRef:
    """NodeRef of a Company, Branch, Service or Staff object (by default on its shortest path:
    a service under the company, a staff member under their home branch)."""
    path, context = [("company", company_id)], []
    if isinstance(entity, Staff) and entity.branch_id is not None:  # company-wide staff: no branch
        path.append(("branch", entity.branch_id))
        if via_service:
            path.append(("service", via_service))
            context.append(("service", via_service))
    if isinstance(entity, Service) and via_branch:
        path.append(("branch", via_branch))
        context.append(("branch", via_branch))
    if not isinstance(entity, Company):
        path.append((entity.level, entity.id))
    return NodeRef(entity.level, entity.id, entity.name, tuple(path), tuple(context),
                   getattr(entity, "is_active", True))


def resolve_node(company_id: int, policy_type: str, node: NodeRef, override_config: dict | None = None):
    """(resolved values, own row) of a node on its canonical path; `override_config` replaces
    the node's own config (used to show what a submitted form would give)."""
    resolved, _, row = resolve_node_in_full(company_id, policy_type, node, override_config)
    return resolved, row


def resolve_node_in_full(company_id: int, policy_type: str, node: NodeRef,
                         override_config: dict | None = None) -> tuple[Resolved, Resolved, RowInfo | None]:
    """(resolved values, grouped keys set aside by a more specific level, own row) of a node."""
    rows = load_rows(company_id, policy_type, node.path)
    names = path_names(node)
    path_rows = [LevelRow(level, ident, names.get((level, ident)), rows[(level, ident)].config)
                 for level, ident in node.path if (level, ident) in rows]
    if override_config is not None:
        path_rows = [row for row in path_rows if (row.level, row.entity_id) != node.key]
        path_rows.append(LevelRow(node.level, node.entity_id, node.name, override_config))
    resolved, set_aside = resolve_with_set_aside(policy_type, path_rows)
    return resolved, set_aside, rows.get(node.key)


def path_labels(node: NodeRef) -> list[str]:
    """Names along the node's path, company first (for the editor's breadcrumb)."""
    names = path_names(node)
    return [names.get(key) or f"#{key[1]}" for key in node.path]


def path_names(node: NodeRef) -> dict[NodeKey, str | None]:
    """Names of the nodes on the node's path (None for one that no longer exists)."""
    names: dict[NodeKey, str | None] = {node.key: node.name}
    for level, ident in node.path:
        if (level, ident) not in names:
            # cast: mypy infers get()'s type from a union of classes as their common base, Model
            entity = cast(Company | Branch | Service | Staff | None,
                          db.session.get(LEVEL_MODELS[level], ident))
            names[(level, ident)] = entity.name if entity else None
    return names


def effective_policy(entity, policy_type: str) -> dict | None:
    """The merged effective config of a Company/Branch/Service/Staff (cached), or None."""
    if policy_type not in POLICY_TYPES:
        raise ValueError(f"Unknown policy type {policy_type!r}")
    company_id = entity.id if isinstance(entity, Company) else entity.company_id
    node = make_node_ref(company_id, entity)

    def build():
        resolved, _ = resolve_node(company_id, policy_type, node)
        return {key: effective.value for key, effective in resolved.items()} or None

    return cached(company_id, f"effective:{policy_type}:{node.level}:{node.entity_id}", dict | None, build)

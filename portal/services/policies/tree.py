"""The part of a company's policy tree that a page shows, loaded and resolved without the rest.

A chain grows by branches, so a view's cost must not: one branch loads that branch, its offered
services and its staff; the whole-company view of a large company stops at services and loads
no staff at all (only how many sit below each service, counted by the database), and that of a
chain with more services than a page can show stops at branches; a search loads the nodes whose
names match and their ancestors. Each view resolves only the nodes it loaded and reads only
their policy rows.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import false, func, select

from portal.domain.inheritance import inactive_nodes
from portal.domain.policies import NodeKey, TreeInput, TreeNode, resolve_tree
from portal.extensions import db
from portal.models import Branch, Service, Staff, branch_services, staff_services
from portal.services.organisation.hierarchy import TreePart, load_tree_input
from portal.services.policies.read import RowInfo, level_rows, load_rows
from portal.services.scope import Scope

StaffBelow = dict[tuple[int, int], int]  # (branch id, service id) -> performing staff there


@dataclass(frozen=True)
class TreeShape:
    """How big a company's tree is, counted without loading it."""

    nodes: int
    staff_below: StaffBelow
    branches: int = 0
    services_below: dict[int, int] = field(default_factory=dict)  # branch id -> services it offers

    @property
    def down_to_services(self) -> int:
        """Nodes of the tree but its staff."""
        return 1 + self.branches + sum(self.services_below.values())


def listed_to(nodes: int, down_to_services: int, full_tree_up_to: int, services_up_to: int | None) -> str:
    """The deepest level the whole-company view lists: every node while the company has at most
    `full_tree_up_to`, else down to services while those are at most `services_up_to`, else
    down to branches (each then links to its own view)."""
    if nodes <= full_tree_up_to:
        return "staff"
    return "service" if services_up_to is None or down_to_services <= services_up_to else "branch"


@dataclass(frozen=True)
class ViewTree:
    """The resolved part of the tree a view shows, its nodes' own rows, and (for the whole-company
    view) the shape of the whole tree."""

    root: TreeNode
    rows: dict[NodeKey, RowInfo]
    shape: TreeShape | None
    inactive: frozenset[NodeKey] = frozenset()  # deactivated nodes loaded ("show inactive"), marked


def tree_shape(company_id: int) -> TreeShape:
    """Node count and staff per offered service, from three small queries. The staff are counted
    per (home branch, service performed) and kept where that branch offers the service: joining
    the offers in SQL made MariaDB start from every company's offers (7 ms → 1.5 ms at 550 staff)."""
    scope = Scope.company(company_id)
    branches = db.session.scalar(select(func.count(Branch.id)).where(*scope.where(Branch))) or 0
    offered = {(branch_id, service_id) for branch_id, service_id in db.session.execute(
        select(branch_services.c.branch_id, branch_services.c.service_id)
        .join(Branch, Branch.id == branch_services.c.branch_id).where(*scope.where(Branch)))}
    performing = db.session.execute(
        select(Staff.branch_id, staff_services.c.service_id, func.count())
        .join(Staff, Staff.id == staff_services.c.staff_id)
        .where(*scope.where(Staff), Staff.is_active.is_(True))
        .group_by(Staff.branch_id, staff_services.c.service_id))
    staff_below = {(branch_id, service_id): count for branch_id, service_id, count in performing
                   if (branch_id, service_id) in offered}
    return TreeShape(1 + branches + len(offered) + sum(staff_below.values()), staff_below, branches,
                     dict(Counter(branch_id for branch_id, _ in offered)))


def branch_part(branch_id: int) -> TreePart:
    """One branch, the services it offers and its own staff."""
    return TreePart(branches=(Branch.id == branch_id,), offered=(branch_services.c.branch_id == branch_id,),
                    staff=(Staff.branch_id == branch_id,), performs=(Staff.branch_id == branch_id,))


SERVICES_ONLY = TreePart(with_staff=False)
BRANCHES_ONLY = TreePart(services=(false(),), offered=(false(),), with_staff=False)


def search_part(company_id: int, needle: str, include_inactive: bool = False) -> TreePart:
    """The nodes whose names contain `needle` (as the presenter matches: lower-cased) and their
    ancestors. Names are matched here, not in SQL, so the rule is exactly the presenter's."""
    scope = Scope.company(company_id)

    def matching(*columns, criteria=()):
        rows = db.session.execute(select(*columns).where(*criteria))
        return [row for row in rows if needle in row.name.lower()]

    branches = {row.id for row in matching(Branch.id, Branch.name, criteria=scope.where(Branch))}
    services = {row.id for row in matching(Service.id, Service.name, criteria=scope.where(Service))}
    active = () if include_inactive else (Staff.is_active.is_(True),)
    staff = matching(Staff.id, Staff.name, Staff.branch_id, criteria=(*scope.where(Staff), *active))
    staff_ids = {row.id for row in staff}
    branches |= {row.branch_id for row in staff}
    if services:
        branches |= set(db.session.scalars(select(branch_services.c.branch_id).where(
            branch_services.c.service_id.in_(services))))
    if staff_ids:
        services |= set(db.session.scalars(select(staff_services.c.service_id).where(
            staff_services.c.staff_id.in_(staff_ids))))
    return TreePart(branches=(Branch.id.in_(branches),), services=(Service.id.in_(services),),
                    staff=(Staff.id.in_(staff_ids),),
                    offered=(branch_services.c.branch_id.in_(branches),
                             branch_services.c.service_id.in_(services)),
                    performs=(staff_services.c.staff_id.in_(staff_ids),), with_staff=bool(staff_ids))


def node_keys(tree: TreeInput) -> list[NodeKey]:
    """Every node of a (partial) tree input, company first."""
    return [("company", tree.company.id), *(("branch", b.id) for b in tree.branches),
            *(("service", s.id) for s in tree.services), *(("staff", m.id) for m in tree.staff)]


def view_tree(company_id: int, policy_type: str, branch_id: int | None, query: str,
              full_tree_up_to: int, include_inactive: bool = False,
              services_up_to: int | None = None) -> ViewTree:
    """The resolved part of the tree for a view: one branch, a name search, or the whole company
    (down to the level `listed_to` says); deactivated nodes only with `include_inactive`
    ("show inactive")."""
    shape = None
    if query.strip():
        part = search_part(company_id, query.strip().lower(), include_inactive)
    elif branch_id:
        part = branch_part(branch_id)
    else:
        shape = tree_shape(company_id)
        part = {"staff": TreePart(), "service": SERVICES_ONLY, "branch": BRANCHES_ONLY}[
            listed_to(shape.nodes, shape.down_to_services, full_tree_up_to, services_up_to)]
    tree = load_tree_input(company_id, part.with_inactive(include_inactive))
    rows = load_rows(company_id, policy_type, node_keys(tree))
    root = resolve_tree(policy_type, tree, level_rows(tree, rows))
    return ViewTree(root, rows, shape, inactive_nodes(tree))

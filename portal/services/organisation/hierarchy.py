"""A company's hierarchy as plain data, from a fixed number of queries."""
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Row, select

from portal.domain.policies import Entity, StaffMember, TreeInput
from portal.extensions import db
from portal.models import Branch, Company, Service, Staff, branch_services, staff_services
from portal.services.scope import Scope

Criteria = tuple[ColumnElement[bool], ...]


@dataclass(frozen=True)
class TreePart:
    """Which part of the hierarchy to load: extra criteria per level (none: all of it), whether
    to load staff at all, and whether deactivated nodes come too (then marked inactive). A page
    that shows one branch loads that branch's part only."""

    branches: Criteria = ()
    services: Criteria = ()
    staff: Criteria = ()
    offered: Criteria = ()  # on branch_services
    performs: Criteria = ()  # on staff_services
    with_staff: bool = True
    include_inactive: bool = False

    def with_inactive(self, include: bool) -> "TreePart":
        return replace(self, include_inactive=include)


WHOLE = TreePart()


def _nodes(model, scope: Scope, part: TreePart, criteria: Criteria, *columns) -> Sequence[Row]:
    active = () if part.include_inactive else (model.is_active.is_(True),)
    return db.session.execute(
        select(model.id, model.name, model.is_active, *columns)
        .where(*scope.where(model), *active, *criteria).order_by(model.name)
    ).all()


def load_tree_input(company_id: int, part: TreePart = WHOLE) -> TreeInput:
    """Company → branches → offered services → performing staff, in at most six queries."""
    scope = Scope.company(company_id)
    company = db.session.execute(select(Company.id, Company.name).where(Company.id == company_id)).one()
    branches = _nodes(Branch, scope, part, part.branches)
    services = _nodes(Service, scope, part, part.services)
    offered = db.session.execute(
        select(branch_services.c.branch_id, branch_services.c.service_id)
        .join(Branch, Branch.id == branch_services.c.branch_id).where(*scope.where(Branch), *part.offered)
    ).all()
    staff: Sequence[Row] = ()
    performs: Sequence[Row] = ()
    if part.with_staff:
        staff = _nodes(Staff, scope, part, part.staff, Staff.branch_id)
        performs = db.session.execute(
            select(staff_services.c.staff_id, staff_services.c.service_id)
            .join(Staff, Staff.id == staff_services.c.staff_id).where(*scope.where(Staff), *part.performs)
        ).all()
    return TreeInput(
        company=Entity(company.id, company.name),
        branches=tuple(Entity(b.id, b.name, b.is_active) for b in branches),
        services=tuple(Entity(s.id, s.name, s.is_active) for s in services),
        staff=tuple(StaffMember(s.id, s.name, s.branch_id, s.is_active) for s in staff),
        branch_services=frozenset((row.branch_id, row.service_id) for row in offered),
        staff_services=frozenset((row.staff_id, row.service_id) for row in performs),
    )

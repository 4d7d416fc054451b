"""A company's hierarchy as plain data, from a fixed number of queries."""
from sqlalchemy import select

from portal.domain.policies import Entity, StaffMember, TreeInput
from portal.extensions import db
from portal.models import Branch, Company, Service, Staff, branch_services, staff_services
from portal.services.scope import Scope


def _nodes(model, company_id: int, include_inactive: bool, *columns):
    criteria = [] if include_inactive else [model.is_active.is_(True)]
    return db.session.execute(
        select(model.id, model.name, model.is_active, *columns)
        .where(*Scope.company(company_id).where(model), *criteria).order_by(model.name)
    ).all()


def load_tree_input(company_id: int, include_inactive: bool = False) -> TreeInput:
    """Company → branches → offered services → performing staff, in six queries. Deactivated
    branches, services and staff are left out unless `include_inactive` (then marked inactive)."""
    company = db.session.execute(select(Company.id, Company.name).where(Company.id == company_id)).one()
    branches = _nodes(Branch, company_id, include_inactive)
    services = _nodes(Service, company_id, include_inactive)
    staff = _nodes(Staff, company_id, include_inactive, Staff.branch_id)
    offered = db.session.execute(
        select(branch_services.c.branch_id, branch_services.c.service_id)
        .join(Branch, Branch.id == branch_services.c.branch_id)
        .where(*Scope.company(company_id).where(Branch))
    ).all()
    performs = db.session.execute(
        select(staff_services.c.staff_id, staff_services.c.service_id)
        .join(Staff, Staff.id == staff_services.c.staff_id).where(*Scope.company(company_id).where(Staff))
    ).all()
    return TreeInput(
        company=Entity(company.id, company.name),
        branches=tuple(Entity(b.id, b.name, b.is_active) for b in branches),
        services=tuple(Entity(s.id, s.name, s.is_active) for s in services),
        staff=tuple(StaffMember(s.id, s.name, s.branch_id, s.is_active) for s in staff),
        branch_services=frozenset((row.branch_id, row.service_id) for row in offered),
        staff_services=frozenset((row.staff_id, row.service_id) for row in performs),
    )

"""A company's hierarchy as plain data, from a fixed number of queries."""
from sqlalchemy import select

from portal.domain.policies import Entity, StaffMember, TreeInput
from portal.extensions import db
from portal.models import Branch, Company, Service, Staff, branch_services, staff_services
from portal.services.scope import Scope


def load_tree_input(company_id: int) -> TreeInput:
    """Company → branches → offered services → performing staff, in five queries."""
    company = db.session.execute(select(Company.id, Company.name).where(Company.id == company_id)).one()
    branches = db.session.execute(
        select(Branch.id, Branch.name).where(*Scope.company(company_id).where(Branch)).order_by(Branch.name)
    ).all()
    services = db.session.execute(
        select(Service.id, Service.name).where(*Scope.company(company_id).where(Service))
        .order_by(Service.name)
    ).all()
    staff = db.session.execute(
        select(Staff.id, Staff.name, Staff.branch_id)
        .where(*Scope.company(company_id).where(Staff), Staff.is_active.is_(True)).order_by(Staff.name)
    ).all()
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
        branches=tuple(Entity(b.id, b.name) for b in branches),
        services=tuple(Entity(s.id, s.name) for s in services),
        staff=tuple(StaffMember(s.id, s.name, s.branch_id) for s in staff),
        branch_services=frozenset((row.branch_id, row.service_id) for row in offered),
        staff_services=frozenset((row.staff_id, row.service_id) for row in performs),
    )

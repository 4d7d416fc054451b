"""Reading the organisation for its pages: lists with their counts, the choices of the forms."""
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from portal.extensions import db
from portal.models import Branch, Company, Service, Staff, User, branch_services, staff_services
from portal.services.organisation.nodes import Node
from portal.services.scope import Scope


@dataclass(frozen=True)
class Summary:
    """A record of a list and how many it is linked to (services offered, staff, branches)."""

    record: Node
    first: int
    second: int = 0


@dataclass(frozen=True)
class Counts:
    branches: int
    services: int
    staff: int
    users: int


def _active(model, include_inactive: bool) -> list:
    return [] if include_inactive else [model.is_active.is_(True)]


def _counts_by(column, *where) -> dict[int, int]:
    rows = db.session.execute(select(column, func.count()).where(*where).group_by(column)).all()
    return dict(tuple(row) for row in rows)


def branch_summaries(scope: Scope, include_inactive: bool) -> list[Summary]:
    """Branches in scope, each with its offered services and its active staff (three queries)."""
    branches = db.session.scalars(scope.select(Branch, *_active(Branch, include_inactive))
                                  .order_by(Branch.is_active.desc(), Branch.name)).all()
    ids = [branch.id for branch in branches]
    offered = _counts_by(branch_services.c.branch_id, branch_services.c.branch_id.in_(ids))
    staff = _counts_by(Staff.branch_id, Staff.branch_id.in_(ids), Staff.is_active)
    return [Summary(branch, offered.get(branch.id, 0), staff.get(branch.id, 0)) for branch in branches]


def service_summaries(scope: Scope, include_inactive: bool) -> list[Summary]:
    """The catalog, each service with the branches offering it and who performs it."""
    services = db.session.scalars(scope.select(Service, *_active(Service, include_inactive))
                                  .order_by(Service.is_active.desc(), Service.name)).all()
    ids = [service.id for service in services]
    offered = _counts_by(branch_services.c.service_id, branch_services.c.service_id.in_(ids))
    performed = _counts_by(staff_services.c.service_id, staff_services.c.service_id.in_(ids))
    return [Summary(s, offered.get(s.id, 0), performed.get(s.id, 0)) for s in services]


def staff_listing(scope: Scope, include_inactive: bool, branch_id: int | None) -> Select:
    """The staff list as one SELECT (the page paginates it), active first, by name."""
    stmt = scope.select(Staff, *_active(Staff, include_inactive))
    if branch_id is not None:
        stmt = stmt.where(Staff.branch_id == branch_id)
    return stmt.order_by(Staff.is_active.desc(), Staff.name, Staff.id)


def choices(model, company_id: int, keep: frozenset[int] | set[int] = frozenset()) -> list:
    """The records a form offers: every active one, and the inactive ones already chosen (so
    saving never drops a link silently); by name."""
    stmt = Scope.company(company_id).select(model, model.is_active.is_(True) | model.id.in_(keep or {0}))
    return list(db.session.scalars(stmt.order_by(model.name)))


def organisation_counts(company_id: int) -> Counts:
    company = Scope.company(company_id)

    def count(model) -> int:
        return db.session.scalar(select(func.count(model.id)).where(*company.where(model),
                                                                     model.is_active.is_(True))) or 0

    return Counts(count(Branch), count(Service), count(Staff), count(User))


def company_zone(company_id: int) -> str:
    """The company's time zone (UTC if it has none): the days, stamps and deadlines its people read
    are in it. From the session's identity map when the company is loaded already."""
    company = db.session.get(Company, company_id)
    return (company.timezone if company else None) or "UTC"

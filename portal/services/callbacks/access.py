"""Which callbacks and staff a signed-in user works with (DESIGN §6).

Admins: the whole company. Branch managers: their branch. Agents: the company, or their branch
when their account has one. Every criterion is part of the query itself (portal.services.scope).
"""
from sqlalchemy import or_

from portal.domain.parsing import parse_id
from portal.extensions import db
from portal.models import CallbackRequest, Staff, User
from portal.services.scope import Scope


def callback_criteria(scope: Scope) -> list:
    """WHERE criteria limiting callback_requests to the scope."""
    return scope.where(CallbackRequest)


def _assignable(user: User):
    """Active staff of the user's branch (or company), and the company-wide staff (the support
    team has no home branch and works every branch's callbacks)."""
    scope = Scope.of(user)
    if not scope.limited:
        return scope.select(Staff, Staff.is_active.is_(True))
    return Scope.company(user.company_id).select(
        Staff, Staff.is_active.is_(True), or_(Staff.branch_id == scope.branch_id, Staff.branch_id.is_(None)))


def staff_choices(user: User) -> list[Staff]:
    """Active staff the user may assign or escalate to: of their branch, or of the company."""
    return list(db.session.scalars(_assignable(user).order_by(Staff.name)))


def staff_of_branches(user: User, branch_ids: set[int]) -> list[tuple[int, str, int | None]]:
    """(id, name, home branch) of the active staff the user may hand callbacks to who work at one
    of `branch_ids` or company-wide, by name: a picker for some callbacks lists the people of
    their branches, never every person of a large chain."""
    stmt = _assignable(user).with_only_columns(Staff.id, Staff.name, Staff.branch_id).where(
        or_(Staff.branch_id.in_(sorted(branch_ids)), Staff.branch_id.is_(None)))
    rows = db.session.execute(stmt.order_by(Staff.name, Staff.id))
    return [(row.id, row.name, row.branch_id) for row in rows]


def staff_in_scope(user: User, staff_id) -> Staff | None:
    """The staff member `staff_id` if the user may hand callbacks to them, else None."""
    ident = parse_id(staff_id)
    return db.session.scalar(_assignable(user).where(Staff.id == ident)) if ident else None

"""Which callbacks and staff a signed-in user works with (DESIGN §6).

Admins: the whole company. Branch managers: their branch. Agents: the company, or their branch
when their account has one. Every criterion is part of the query itself.
"""
from sqlalchemy import select

from portal.extensions import db
from portal.models import CallbackRequest, Staff, User
from portal.web.scope import get_or_404
from portal.services.scope import Scope


def callback_criteria(scope: Scope) -> list:
    """WHERE criteria limiting callback_requests to the scope (company always, branch if set)."""
    criteria = [CallbackRequest.company_id == scope.company_id]
    if scope.branch_id:
        criteria.append(CallbackRequest.branch_id == scope.branch_id)
    return criteria


def get_callback(user: User, callback_id) -> CallbackRequest:
    """A callback the user may work on, or 404 (another company's or branch's is not found)."""
    scope = Scope.of(user)
    branch = [CallbackRequest.branch_id == scope.branch_id] if scope.branch_id else []
    return get_or_404(CallbackRequest, callback_id, *branch)


def staff_choices(user: User) -> list[Staff]:
    """Active staff the user may assign or escalate to: of their branch, or of the company."""
    scope = Scope.of(user)
    stmt = select(Staff).where(Staff.company_id == scope.company_id, Staff.is_active.is_(True))
    if scope.branch_id:
        stmt = stmt.where(Staff.branch_id == scope.branch_id)
    return list(db.session.scalars(stmt.order_by(Staff.name)))


def staff_in_scope(user: User, staff_id) -> Staff | None:
    """The staff member `staff_id` if the user may hand callbacks to them, else None."""
    try:
        staff_id = int(staff_id)
    except (TypeError, ValueError):
        return None
    scope = Scope.of(user)
    stmt = select(Staff).where(Staff.id == staff_id, Staff.company_id == scope.company_id,
                               Staff.is_active.is_(True))
    if scope.branch_id:
        stmt = stmt.where(Staff.branch_id == scope.branch_id)
    return db.session.scalar(stmt)

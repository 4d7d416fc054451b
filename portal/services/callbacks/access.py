"""Which callbacks and staff a signed-in user works with (DESIGN §6).

Admins: the whole company. Branch managers: their branch. Agents: the company, or their branch
when their account has one. Every criterion is part of the query itself (portal.services.scope).
"""
from portal.extensions import db
from portal.models import CallbackRequest, Staff, User
from portal.services.scope import Scope


def callback_criteria(scope: Scope) -> list:
    """WHERE criteria limiting callback_requests to the scope."""
    return scope.where(CallbackRequest)


def staff_choices(user: User) -> list[Staff]:
    """Active staff the user may assign or escalate to: of their branch, or of the company."""
    stmt = Scope.of(user).select(Staff, Staff.is_active.is_(True))
    return list(db.session.scalars(stmt.order_by(Staff.name)))


def staff_in_scope(user: User, staff_id) -> Staff | None:
    """The staff member `staff_id` if the user may hand callbacks to them, else None."""
    return Scope.of(user).get(Staff, staff_id, Staff.is_active.is_(True))

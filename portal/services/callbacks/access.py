"""Which callbacks and staff a signed-in user works with (DESIGN §6).

Admins: the whole company. Branch managers: their branch. Agents: the company, or their branch
when their account has one. Every criterion is part of the query itself (portal.services.scope).
"""
from collections.abc import Callable

from sqlalchemy import or_, select

from portal.cache import cached_each
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
    their branches, never every person of a large chain. Each branch's list is cached (staff
    changes bump the generation), so a page of twenty branches reads them in one round trip."""
    producers = {f"active-staff:{branch_id}": _loader(user.company_id, branch_id)
                 for branch_id in assignable_branches(user, branch_ids)}
    producers["active-staff:company-wide"] = _loader(user.company_id, None)
    lists = cached_each(user.company_id, producers, list[tuple[int, str, int | None]], in_process=True)
    return sorted((member for members in lists.values() for member in members), key=lambda m: (m[1], m[0]))


def assignable_branches(user: User, branch_ids: set[int]) -> list[int]:
    """Those of `branch_ids` whose staff the user may hand callbacks to (a branch-limited user: their
    own branch only), in id order."""
    scope = Scope.of(user)
    return sorted(b for b in branch_ids if not scope.limited or b == scope.branch_id)


def active_staff(company_id: int, branch_id: int | None) -> list[tuple[int, str, int | None]]:
    """(id, name, home branch) of the active staff of one branch (None: the company-wide team),
    by name."""
    stmt = select(Staff.id, Staff.name, Staff.branch_id).where(
        *Scope.company(company_id).where(Staff), Staff.is_active.is_(True),
        Staff.branch_id == branch_id if branch_id is not None else Staff.branch_id.is_(None))
    return sorted(((row.id, row.name, row.branch_id) for row in db.session.execute(stmt)),
                  key=lambda m: (m[1], m[0]))


def _loader(company_id: int, branch_id: int | None) -> Callable[[], list[tuple[int, str, int | None]]]:
    return lambda: active_staff(company_id, branch_id)


def staff_in_scope(user: User, staff_id) -> Staff | None:
    """The staff member `staff_id` if the user may hand callbacks to them, else None."""
    ident = parse_id(staff_id)
    return db.session.scalar(_assignable(user).where(Staff.id == ident)) if ident else None

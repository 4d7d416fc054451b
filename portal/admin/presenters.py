"""Plain values the users templates render: filters, form values, choices."""
from sqlalchemy import Select
from werkzeug.datastructures import MultiDict

from portal.admin.forms import read_user_filter
from portal.models import ROLES, Branch, Staff, User
from portal.models.users import ROLE_LABELS
from portal.services.organisation.nodes import last_change
from portal.services.organisation.read import choices
from portal.services.organisation.users import user_state
from portal.services.scope import Scope

ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ROLES]


def user_filter(scope: Scope, args: MultiDict) -> tuple[dict, Select]:
    """(the filters as shown, the SELECT of the accounts they leave), by name."""
    filters = read_user_filter(args)
    stmt = scope.select(User)
    if filters["role"]:
        stmt = stmt.where(User.role == filters["role"])
    if filters["branch"]:
        stmt = stmt.where(User.branch_id == int(filters["branch"]))
    if filters["active"] != "all":
        stmt = stmt.where(User.is_active.is_(filters["active"] == "active"))
    return filters, stmt.order_by(User.is_active.desc(), User.name, User.id)


def user_values(user: User) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role, "branch_id": str(user.branch_id or ""),
            "staff_id": str(user.staff_id or ""), "state": user_state(user)}


def user_form_context(company_id: int, user: User | None = None) -> dict:
    """Branches and staff to choose from (active ones, and the account's own even if inactive)."""
    branches = choices(Branch, company_id, {user.branch_id} if user and user.branch_id else set())
    staff = choices(Staff, company_id, {user.staff_id} if user and user.staff_id else set())
    context: dict = {
        "branch_choices": [(b.id, b.name + ("" if b.is_active else " (inactive)")) for b in branches],
        "staff_choices": [(s.id, s.name + (f" · {s.branch.name}" if s.branch else " · company-wide"))
                          for s in staff],
    }
    if user is not None:
        context["changed_by"], context["changed_at"] = last_change(company_id, "user", user.id)
    return context

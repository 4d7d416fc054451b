"""Staff: name, home branch (or none: company-wide, e.g. the support team), services performed,
and an optional sign-in account."""
from typing import Any

from sqlalchemy import update

from portal.domain.messages import M_
from portal.domain.organisation import clean_email, clean_external_id, clean_name
from portal.extensions import db
from portal.models import Branch, Service, Staff, User
from portal.services import audit
from portal.services.organisation.records import RecordRules
from portal.services.scope import Scope

NO_ACCOUNT = ""


def _home_branch(company_id: int, raw: Any, errors: dict) -> int | None:
    if raw in (None, ""):
        return None
    branch = Scope.company(company_id).get(Branch, raw)
    if branch is None:
        errors["branch_id"] = M_("Unknown branch: reload the page and choose again.")
        return None
    return branch.id


def _account(company_id: int, raw: Any, own_id: int | None, errors: dict) -> User | None:
    """The sign-in account to link: a user of the company not linked to another staff record."""
    user = Scope.company(company_id).get(User, raw)
    if user is None:
        errors["user_id"] = M_("Unknown account: reload the page and choose again.")
    elif user.staff_id not in (None, own_id):
        errors["user_id"] = M_("%(name)s is already linked to another staff record.", name=user.name)
    return user


def _home_and_account(company_id: int, raw: dict[str, Any], own_id: int | None, values: dict,
                      errors: dict) -> None:
    """The home branch (empty: company-wide) and the sign-in account ("": none, absent: as is)."""
    values["branch_id"] = _home_branch(company_id, raw.get("branch_id"), errors)
    if raw.get("user_id", NO_ACCOUNT) != NO_ACCOUNT:
        values["account"] = _account(company_id, raw["user_id"], own_id, errors)
    elif "user_id" in raw:
        values["account"] = None


def link_account(actor: User | None, member: Staff, account: User | None) -> dict:
    """Make `account` the one sign-in account of this staff member (None: no account); audited on
    the users whose link changes. Returns the change for the staff member's own audit entry."""
    current = db.session.scalar(Scope.company(member.company_id).select(User, User.staff_id == member.id))
    if (current.id if current else None) == (account.id if account else None):
        return {}
    if current is not None:
        db.session.execute(update(User).where(User.id == current.id).values(staff_id=None)
                           .execution_options(synchronize_session=False))
        audit.record(member.company_id, actor, "update", "user", current.id, {"staff_id": member.id},
                     {"staff_id": None})
    if account is not None:
        account.staff_id = member.id
        audit.record(member.company_id, actor, "update", "user", account.id,
                     {"staff_id": None}, {"staff_id": member.id})
    return {"account": account.id if account else None}


def _link_after_write(actor: User | None, member: Staff, rest: dict) -> dict:
    return link_account(actor, member, rest["account"]) if "account" in rest else {}


STAFF = RecordRules(Staff, {"name": clean_name, "email": clean_email, "external_id": clean_external_id},
                    {"service_ids": ("services", Service)}, _home_and_account, _link_after_write)


create_staff, update_staff = STAFF.create, STAFF.update


def linked_account(member: Staff) -> User | None:
    return db.session.scalar(Scope.company(member.company_id).select(User, User.staff_id == member.id))


def unlinked_accounts(company_id: int, member_id: int | None = None) -> list[User]:
    """Accounts that may be linked to this staff member: without a staff record, or this one."""
    stmt = Scope.company(company_id).select(User, User.is_active,
                                            (User.staff_id.is_(None)) | (User.staff_id == (member_id or 0)))
    return list(db.session.scalars(stmt.order_by(User.name)))


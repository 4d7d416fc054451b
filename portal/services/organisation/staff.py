"""Staff: name, home branch (or none: company-wide, e.g. the support team), services performed,
and an optional sign-in account."""
from typing import Any

from sqlalchemy import update

from portal.domain.organisation import clean_email, clean_external_id, clean_name
from portal.extensions import db
from portal.models import Branch, Service, Staff, User
from portal.services import audit
from portal.services.organisation.nodes import (
    Outcome,
    apply_values,
    check_unique,
    claim_version,
    conflict_of,
    records_by_ids,
    replace_links,
    save_change,
)
from portal.services.scope import Scope

NO_ACCOUNT = ""


def _home_branch(company_id: int, raw: Any, errors: dict) -> int | None:
    if raw in (None, ""):
        return None
    branch = Scope.company(company_id).get(Branch, raw)
    if branch is None:
        errors["branch_id"] = "Unknown branch: reload the page and choose again."
        return None
    return branch.id


def _account(company_id: int, raw: Any, own_id: int | None, errors: dict) -> User | None:
    """The sign-in account to link: a user of the company not linked to another staff record."""
    user = Scope.company(company_id).get(User, raw)
    if user is None:
        errors["user_id"] = "Unknown account: reload the page and choose again."
    elif user.staff_id not in (None, own_id):
        errors["user_id"] = f"{user.name} is already linked to another staff record."
    return user


def clean_staff(company_id: int, raw: dict[str, Any], own_id: int | None = None) -> tuple[dict, dict]:
    """(values, errors by field); `service_ids` become Service records, `user_id` the account."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, (value, error) in {
        "name": clean_name(raw.get("name")),
        "email": clean_email(raw.get("email")),
        "external_id": clean_external_id(raw.get("external_id")),
    }.items():
        if error:
            errors[key] = error
        values[key] = value
    values["branch_id"] = _home_branch(company_id, raw.get("branch_id"), errors)
    if "service_ids" in raw:
        services, error = records_by_ids(Service, company_id, raw["service_ids"], "service")
        if error:
            errors["service_ids"] = error
        values["services"] = services
    if raw.get("user_id", NO_ACCOUNT) != NO_ACCOUNT:
        values["account"] = _account(company_id, raw["user_id"], own_id, errors)
    elif "user_id" in raw:
        values["account"] = None
    check_unique(Staff, company_id, values, own_id, errors)
    return values, errors


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


def create_staff(actor: User | None, company_id: int, raw: dict[str, Any], commit: bool = True) -> Outcome:
    values, errors = clean_staff(company_id, raw)
    if errors:
        return Outcome(errors=errors)
    services, account = values.pop("services", []), values.pop("account", None)
    member = Staff(company_id=company_id, **values)
    member.services = services
    db.session.add(member)
    db.session.flush()
    linked = link_account(actor, member, account)
    after = {key: value for key, value in values.items() if value is not None}
    return save_change(actor, member, "staff", "create", {},
                       {**after, "services": sorted(s.id for s in services), **linked}, commit)


def update_staff(actor: User, member: Staff, raw: dict[str, Any], expected_version: int) -> Outcome:
    values, errors = clean_staff(member.company_id, raw, member.id)
    if errors:
        return Outcome(member, errors=errors)
    services = values.pop("services", None)
    wants_link, account = "account" in values, values.pop("account", None)
    if member.version != expected_version or not claim_version(member, expected_version):
        return Outcome(member, conflict=conflict_of(member, "staff"))
    before, after = apply_values(member, values)
    if services is not None:
        replace_links(member, "services", services, before, after)
    if wants_link and (linked := link_account(actor, member, account)):
        after.update(linked)
    if not after:
        db.session.rollback()
        return Outcome(member)
    return save_change(actor, member, "staff", "update", before, after)


def linked_account(member: Staff) -> User | None:
    return db.session.scalar(Scope.company(member.company_id).select(User, User.staff_id == member.id))


def unlinked_accounts(company_id: int, member_id: int | None = None) -> list[User]:
    """Accounts that may be linked to this staff member: without a staff record, or this one."""
    stmt = Scope.company(company_id).select(User, User.is_active,
                                            (User.staff_id.is_(None)) | (User.staff_id == (member_id or 0)))
    return list(db.session.scalars(stmt.order_by(User.name)))


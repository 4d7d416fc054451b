"""Sign-in accounts, managed by admins: create (with a one-time link), edit role/branch/staff,
deactivate and reactivate, reset the password.

Two rules hold whatever the order of requests: a company keeps at least one active admin (the
admins' rows are locked while the change is checked, so two admins demoting each other at once
cannot both succeed), and nobody changes their own role or deactivates themselves. A change of
role, branch or staff record, a deactivation and a reset end every session of the user at once.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from portal.domain.messages import M_
from portal.domain.organisation import clean_email, clean_name
from portal.extensions import db
from portal.models import NO_PASSWORD, ROLES, Branch, Staff, User
from portal.services import audit
from portal.services.organisation.links import issue_link
from portal.services.organisation.nodes import Conflict, Outcome, last_change
from portal.services.scope import Scope

ACCESS_FIELDS = ("role", "branch_id", "staff_id")


@dataclass
class UserOutcome(Outcome):
    token: str | None = None  # the one-time link's token, shown once
    purpose: str | None = None  # of that link: welcome (24 h) or reset (1 h)


def user_state(user: User) -> str:
    """A fingerprint of what an admin edits; the form sends back the one it showed, and a
    different current one means someone else changed the account first (409)."""
    text = f"{user.name}|{user.role}|{user.branch_id}|{user.staff_id}|{user.is_active}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _conflict(user: User) -> Conflict:
    who, when = last_change(user.company_id, "user", user.id)
    return Conflict(who, when, 0)


UNKNOWN = {"branch_id": M_("Unknown branch: reload the page and choose again."),
           "staff_id": M_("Unknown staff member: reload the page and choose again.")}


def _record(company_id: int, model, raw: Any, errors: dict, key: str):
    if raw in (None, ""):
        return None
    row = Scope.company(company_id).get(model, raw, model.is_active)
    if row is None:
        errors[key] = UNKNOWN[key]
    return row


def clean_access(company_id: int, raw: dict[str, Any], own_id: int | None) -> tuple[dict, dict]:
    """role, branch_id (required for a branch manager) and staff_id (one account per staff record)."""
    errors: dict[str, str] = {}
    role = raw.get("role")
    if role not in ROLES:
        errors["role"] = M_("Choose a role: admin, branch manager or support agent.")
    branch = _record(company_id, Branch, raw.get("branch_id"), errors, "branch_id")
    staff = _record(company_id, Staff, raw.get("staff_id"), errors, "staff_id")
    if role == "branch_manager" and branch is None and "branch_id" not in errors:
        errors["branch_id"] = M_("A branch manager needs the branch they manage.")
    if staff is not None and db.session.scalar(select(User.id).where(
            *Scope.company(company_id).where(User), User.staff_id == staff.id,
            User.id != (own_id or 0)).limit(1)):
        errors["staff_id"] = M_("%(name)s already has a sign-in account.", name=staff.name)
    branch_id = branch.id if branch is not None and role != "admin" else None
    return {"role": role, "branch_id": branch_id, "staff_id": staff.id if staff else None}, errors


def clean_user(company_id: int, raw: dict[str, Any], own_id: int | None = None) -> tuple[dict, dict]:
    values, errors = clean_access(company_id, raw, own_id)
    name, error = clean_name(raw.get("name"))
    if error:
        errors["name"] = error
    values["name"] = name
    if own_id is None:
        email, error = clean_email(raw.get("email"), required=True)
        if error:
            errors["email"] = error
        elif db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
            errors["email"] = M_("This email address already has an account.")
        values["email"] = email
    return values, errors


def create_user(actor: User | None, company_id: int, raw: dict[str, Any], now: datetime,
                password: str | None = None, commit: bool = True) -> UserOutcome:
    """A new account; without `password` its first password is set through a one-time link."""
    values, errors = clean_user(company_id, raw)
    if errors:
        return UserOutcome(errors=errors)
    user = User(company_id=company_id, password_hash=NO_PASSWORD, **values)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    token = issue_link(user, "welcome", actor, now) if password is None else None
    audit.record(company_id, actor, "create", "user", user.id, {}, {**values, "email": user.email})
    if commit:
        db.session.commit()
    return UserOutcome(user, changed=True, token=token, purpose="welcome" if token else None)


def _other_active_admins(user: User) -> int:
    """Active admins of the company besides `user`, their rows locked until the commit."""
    admins = select(User.id).where(*Scope.company(user.company_id).where(User), User.role == "admin",
                                   User.is_active)
    ids = db.session.scalars(admins.with_for_update()).all()
    return len([ident for ident in ids if ident != user.id])


def access_refusal(actor: User, user: User, role: str | None, active: bool) -> str | None:
    """Why this change may not be made (own role, own account, the last admin), or None."""
    if actor.id == user.id and role is not None and role != user.role:
        return M_("You cannot change your own role; ask another admin to do it.")
    if actor.id == user.id and not active:
        return M_("You cannot deactivate your own account; ask another admin to do it.")
    stays_admin = active and (role or user.role) == "admin"
    if user.role == "admin" and user.is_active and not stays_admin and _other_active_admins(user) == 0:
        return M_("%(name)s is the last active admin of the company: make another user an admin first, so "
                  "someone can still manage it.", name=user.name)
    return None


def update_user(actor: User, user: User, raw: dict[str, Any], expected_state: str) -> UserOutcome:
    """Name, role, branch and staff record. A change of access ends the user's sessions."""
    if expected_state != user_state(user):
        return UserOutcome(user, conflict=_conflict(user))
    values, errors = clean_user(user.company_id, raw, user.id)
    refusal = None if errors else access_refusal(actor, user, values["role"], user.is_active)
    if refusal:
        errors["role"] = refusal
    if errors:
        db.session.rollback()
        return UserOutcome(user, errors=errors)
    before = {key: getattr(user, key) for key in values if getattr(user, key) != values[key]}
    if not before:
        return UserOutcome(user)
    for key in before:
        setattr(user, key, values[key])
    if set(before) & set(ACCESS_FIELDS):
        user.end_sessions()  # access changed: sessions opened under the old one end now
    after = {key: values[key] for key in before}
    audit.record(user.company_id, actor, "update", "user", user.id, before, after)
    db.session.commit()
    return UserOutcome(user, changed=True)


def set_user_active(actor: User, user: User, active: bool, expected_state: str) -> UserOutcome:
    """Deactivate (every session ends at once; they cannot sign in) or reactivate an account."""
    if expected_state != user_state(user):
        return UserOutcome(user, conflict=_conflict(user))
    if user.is_active == active:
        return UserOutcome(user)
    refusal = access_refusal(actor, user, None, active)
    if refusal:
        db.session.rollback()
        return UserOutcome(user, errors={"is_active": refusal})
    user.is_active = active
    if not active:
        user.end_sessions()
    audit.record(user.company_id, actor, "reactivate" if active else "deactivate", "user", user.id,
                 {"is_active": not active}, {"is_active": active})
    db.session.commit()
    return UserOutcome(user, changed=True)


def reset_password(actor: User, user: User, now: datetime) -> UserOutcome:
    """A new one-time link: 1 h to set a new password, or 24 h for an account that never had one
    (its first link expired). The old password stops working and every session ends now."""
    if not user.is_active:
        refusal = M_("Reactivate the account before resetting the password.")
        return UserOutcome(user, errors={"is_active": refusal})
    purpose = "welcome" if user.password_hash == NO_PASSWORD else "reset"
    user.password_hash = NO_PASSWORD
    user.end_sessions()
    token = issue_link(user, purpose, actor, now)
    db.session.commit()
    return UserOutcome(user, changed=True, token=token, purpose=purpose)

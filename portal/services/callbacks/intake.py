"""New callback requests from the agents' form and the intake API: check, then create or merge.

Both entry points hand a plain dict to `parse_intake`, so a request is judged by the same rules
wherever it comes from; `create_or_merge` then stores it (DESIGN §4, intake). The errors are domain
Messages: the form says them in the page's language, the API's JSON in English.
"""
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.domain.callbacks import (
    EMAIL_MAX,
    MERGE_WINDOW,
    MERGEABLE,
    NAME_MAX,
    NOTE_MAX,
    PRIORITIES,
    can_merge_into,
    higher_priority,
    merged_notes,
    sla_deadline,
)
from portal.domain.messages import M_, Message
from portal.domain.parsing import InputError, parse_id, parse_text, parse_time_window
from portal.extensions import db
from portal.models import PRIORITY_RANK, Branch, CallbackRequest, Company, Customer, Service, Staff, User
from portal.models.org import branch_services
from portal.services import audit
from portal.services.callbacks.phone_lock import lock_phone
from portal.services.callbacks.policy import PolicyBook
from portal.services.delivery import events as notify
from portal.services.organisation.read import company_zone
from portal.services.scope import Scope

FIELDS = ("customer_name", "phone_number", "customer_email", "branch_id", "service_id", "staff_id",
          "priority", "notes", "preferred_time_window")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Intake:
    """A checked request: phone in E.164, ids of this company's records."""

    customer_name: str
    phone_number: str
    customer_email: str | None
    branch_id: int
    service_id: int | None
    staff_id: int | None
    priority: str
    notes: str | None
    preferred_time_window: dict


@dataclass(frozen=True)
class Stored:
    callback_id: int
    merged: bool
    priority: str
    expires_at: datetime


def normalize_phone(raw: Any, region: str) -> str:
    """E.164 form of a phone number; ValueError with a message a person can act on."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(M_("Enter the phone number to call back."))
    example = M_("e.g. +49 30 1234567; numbers without a country code are read as %(region)s", region=region)
    shown = repr(raw.strip()[:40])
    try:
        number = phonenumbers.parse(raw.strip()[:40], region)
    except phonenumbers.NumberParseException:
        raise ValueError(M_("%(value)s is not a phone number (%(example)s).", value=shown,
                            example=example)) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(M_("%(value)s is not a valid phone number (%(example)s).", value=shown,
                            example=example))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Each field's messages whole (German puts the field's name elsewhere than English does).
TEXT_MESSAGES: dict[str, tuple[Message, Message, Callable[[Message], Message]]] = {
    "customer_name": (M_("Enter the customer's name."), M_("The customer's name must be text."),
                      lambda problem: M_("The customer's name %(problem)s.", problem=problem)),
    "customer_email": (M_("Enter the email address."), M_("The email address must be text."),
                       lambda problem: M_("The email address %(problem)s.", problem=problem)),
    "notes": (M_("Enter the note."), M_("The note must be text."),
              lambda problem: M_("The note %(problem)s.", problem=problem)),
}


def _text(raw: Mapping, name: str, limit: int, errors: dict, required=False) -> str | None:
    value = raw.get(name)
    missing, not_text, refused = TEXT_MESSAGES[name]
    if value is None or value == "":
        if required:
            errors[name] = missing
        return None
    if not isinstance(value, str):
        errors[name] = not_text
        return None
    try:
        text = parse_text(value, max_length=limit, multiline=name == "notes")
    except InputError as problem:
        errors[name] = refused(problem.message)
        return None
    if required and not text:
        errors[name] = missing
    return text or None


UNKNOWN = {"branch_id": M_("Unknown branch."), "service_id": M_("Unknown service."),
           "staff_id": M_("Unknown staff member.")}


def _record_id(raw: Mapping, name: str, errors: dict, required=False) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            errors[name] = M_("Choose the branch.")
        return None
    ident = parse_id(value)
    if ident is None:
        errors[name] = UNKNOWN[name]
    return ident


def _time_window(raw: Mapping, errors: dict) -> dict:
    try:
        window = parse_time_window(raw.get("preferred_time_window"))
    except InputError as problem:
        errors["preferred_time_window"] = M_("The preferred time window %(problem)s.",
                                             problem=problem.message)
        return {}
    if window is None:
        return {}
    start, end = window
    return {"start": start.isoformat(timespec="minutes"), "end": end.isoformat(timespec="minutes")}


def parse_intake(company: Company, raw: Any, scope: Scope | None = None) -> tuple[Intake | None, dict]:
    """Check a request against the rules and this company's records: (intake, {}) or (None, errors).

    `scope` limits the branch (a branch manager's form: their own); the default is the company.
    A branch, service or staff member of another company is "unknown", exactly like one that
    does not exist.
    """
    if not isinstance(raw, Mapping):
        return None, {"request": M_("Send a JSON object with the callback's fields.")}
    errors: dict[str, Message] = {name: M_("Unknown field.") for name in raw if name not in FIELDS}
    name = _text(raw, "customer_name", NAME_MAX, errors, required=True)
    email = _text(raw, "customer_email", EMAIL_MAX, errors)
    if email and "customer_email" not in errors and not EMAIL.match(email):
        errors["customer_email"] = M_("%(value)s is not an email address.", value=repr(email))
    notes = _text(raw, "notes", NOTE_MAX, errors)
    priority = raw.get("priority") or "normal"
    if priority not in PRIORITIES:
        errors["priority"] = M_("Priority must be one of %(choices)s.", choices=", ".join(PRIORITIES))
    phone = None
    try:
        phone = normalize_phone(raw.get("phone_number"), company.default_region or "DE")
    except ValueError as problem:
        errors["phone_number"] = problem.args[0]
    ids = {key: _record_id(raw, key, errors, required=key == "branch_id") for key in UNKNOWN}
    window = _time_window(raw, errors)
    _check_records(scope or Scope.company(company.id), ids, errors)
    if errors:
        return None, errors
    branch_id = ids["branch_id"]
    # Each required field that is missing has its error: without errors, all of them are there.
    assert name is not None
    assert phone is not None
    assert branch_id is not None
    return Intake(name, phone, email, branch_id, ids["service_id"], ids["staff_id"], priority,
                  notes, window), {}


def _check_records(scope: Scope, ids: dict, errors: dict) -> None:
    branch_id, service_id, staff_id = ids["branch_id"], ids["service_id"], ids["staff_id"]
    company = scope.whole_company()
    branch = scope.get(Branch, branch_id) if branch_id is not None else None
    if branch_id is not None and branch is None:
        elsewhere = scope.limited and company.get(Branch, branch_id) is not None
        errors["branch_id"] = M_("Choose your own branch.") if elsewhere else UNKNOWN["branch_id"]
    elif branch is not None and not branch.is_active:
        errors["branch_id"] = M_("This branch is deactivated: choose another one.")
    if service_id is not None:
        if company.get(Service, service_id) is None:
            errors["service_id"] = UNKNOWN["service_id"]
        elif company.get(Service, service_id, Service.is_active.is_(False)):
            errors["service_id"] = M_("This service is deactivated: choose another one.")
        elif "branch_id" not in errors and branch_id and not db.session.scalar(
                select(branch_services.c.service_id).where(branch_services.c.branch_id == branch_id,
                                                           branch_services.c.service_id == service_id)):
            errors["service_id"] = M_("This branch does not offer that service.")
    if staff_id is not None and company.get(Staff, staff_id, Staff.is_active.is_(True)) is None:
        errors["staff_id"] = UNKNOWN["staff_id"]


DEADLOCK, LOCK_WAIT_TIMEOUT = 1213, 1205
ATTEMPTS = 3


def create_or_merge(company_id: int, intake: Intake, actor: User | None, source: str,
                    now: datetime) -> Stored:
    """Store a checked request, merging it into an open one from the same phone (30 minutes).

    Intakes take turns per phone number (portal/services/callbacks/phone_lock.py): two requests
    from one phone arriving together merge instead of both creating a callback, while requests
    from different phones run side by side. The caller's transaction is committed first, so the
    transaction that takes the lock reads what the phone's previous intake committed. A deadlock
    the database reports is retried: the intake is plain values and can be stored again.
    """
    db.session.commit()
    for attempt in range(ATTEMPTS):
        try:
            return _store(company_id, intake, actor, source, now)
        except OperationalError as problem:
            db.session.rollback()
            code = problem.orig.args[0] if problem.orig is not None and problem.orig.args else None
            if code not in (DEADLOCK, LOCK_WAIT_TIMEOUT) or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _store(company_id: int, intake: Intake, actor: User | None, source: str, now: datetime) -> Stored:
    lock_phone(company_id, intake.phone_number, now)
    incoming_deadline = sla_deadline(now, intake.priority, PolicyBook(company_id).for_path(
        intake.branch_id, intake.service_id, intake.staff_id))
    cr = CallbackRequest
    latest = db.session.scalar(
        select(cr.id).where(*Scope.company(company_id).where(cr), cr.phone_number == intake.phone_number,
                            cr.status.in_(MERGEABLE), cr.created_at >= now - MERGE_WINDOW)
        .order_by(cr.created_at.desc(), cr.id.desc()).limit(1))
    # Locked by its primary key (one record, no range), so an agent acting on it waits for us.
    open_one = db.session.get(CallbackRequest, latest, with_for_update=True, populate_existing=True) \
        if latest is not None else None
    if open_one is not None and can_merge_into(open_one.status, open_one.created_at, now):
        stored = _merge(open_one, intake, incoming_deadline, actor, source, now)
    else:
        stored = _create(company_id, intake, incoming_deadline, actor, source, now)
    db.session.commit()
    return stored


def _merge(callback: CallbackRequest, intake: Intake, deadline: datetime, actor, source, now) -> Stored:
    before = {"priority": callback.priority, "expires_at": callback.expires_at.isoformat(),
              "version": callback.version}
    callback.priority = higher_priority(callback.priority, intake.priority)
    callback.expires_at = min(callback.expires_at, deadline)  # a merge never moves the deadline later
    callback.notes = merged_notes(callback.notes, intake.notes, now, source,
                                  company_zone(callback.company_id))
    callback.version += 1
    callback.updated_at = now
    after = {"priority": callback.priority, "expires_at": callback.expires_at.isoformat(),
             "requested_priority": intake.priority, "note": intake.notes, "source": source}
    _audit(callback, actor, "merge", before, after, source)
    return Stored(callback.id, True, callback.priority, callback.expires_at)


def _create(company_id: int, intake: Intake, deadline: datetime, actor, source, now) -> Stored:
    customer_id = db.session.scalar(select(Customer.id).where(  # link a known customer by phone
        *Scope.company(company_id).where(Customer), Customer.phone == intake.phone_number,
    ).order_by(Customer.id).limit(1))
    callback = CallbackRequest(
        company_id=company_id, customer_id=customer_id, branch_id=intake.branch_id,
        service_id=intake.service_id, staff_id=intake.staff_id, phone_number=intake.phone_number,
        customer_name=intake.customer_name, customer_email=intake.customer_email,
        preferred_time_window=intake.preferred_time_window, priority=intake.priority,
        priority_rank=PRIORITY_RANK[intake.priority], status="pending", expires_at=deadline,
        notes=intake.notes, meta={"source": source}, created_at=now, updated_at=now,
    )
    db.session.add(callback)
    db.session.flush()
    _audit(callback, actor, "create", {}, {"priority": intake.priority, "source": source,
                                           "expires_at": deadline.isoformat()}, source)
    notify.callback_received(callback, now)
    return Stored(callback.id, False, callback.priority, callback.expires_at)


def _audit(callback, actor, action, before, after, source) -> None:
    event = audit.record(callback.company_id, actor, action, "callback", callback.id, before, after)
    if actor is None:
        event.actor_label = source
    event.created_at = callback.updated_at

"""Upserts of the organisation records by external id: branches, services (with the branches
offering them), staff (home branch, services performed) and customers (E.164 phone, language,
channel consents). Each checks everything first and writes only when the record is accepted,
so a refused record leaves nothing behind; none commits (portal.services.sync.batch does)."""

from typing import Any

from portal.domain.messages import english
from portal.domain.organisation import clean_consents
from portal.extensions import db
from portal.models import Branch, Customer, Service, Staff
from portal.services.callbacks.intake import normalize_phone
from portal.services.organisation.nodes import apply_values, name_taken, replace_links
from portal.services.sync.references import Pending, References, SyncRefused, link


def _existing_or_new(refs: References, kind: str, model, external_id: str):
    row = refs.find(kind, external_id)
    return (
        (row, False)
        if row is not None
        else (model(company_id=refs.company_id, external_id=external_id), True)
    )


def _finish(refs: References, kind: str, row, created: bool, before: dict, after: dict) -> Pending:
    if created:
        db.session.add(row)
        refs.add(kind, row)
    return Pending(row, created, created or bool(after), audit=({} if created else before, after))


def _unique_name(model, refs: References, row, created: bool, name: str, errors: dict) -> None:
    if name_taken(model, refs.company_id, name, None if created else row.id):
        errors["name"] = f"Another {model.level} of the company is already called “{name}”."


def upsert_branch(refs: References, external_id: str, data: dict[str, Any]) -> Pending:
    row, created = _existing_or_new(refs, "branch", Branch, external_id)
    errors: dict[str, str] = {}
    _unique_name(Branch, refs, row, created, data["name"], errors)
    if errors:
        raise SyncRefused(errors)
    before, after = apply_values(
        row, {key: data[key] for key in ("name", "city", "is_active") if key in data}
    )
    return _finish(refs, "branch", row, created, before, after)


def upsert_service(refs: References, external_id: str, data: dict[str, Any]) -> Pending:
    row, created = _existing_or_new(refs, "service", Service, external_id)
    errors: dict[str, str] = {}
    _unique_name(Service, refs, row, created, data["name"], errors)
    branches = [refs.require("branch", ext, "branches", errors) for ext in data.get("branches", [])]
    if errors:
        raise SyncRefused(errors)
    before, after = apply_values(
        row, {key: data[key] for key in ("name", "price", "duration_minutes", "is_active") if key in data}
    )
    if "branches" in data:
        replace_links(row, "branches", branches, before, after)
    return _finish(refs, "service", row, created, before, after)


def upsert_staff(refs: References, external_id: str, data: dict[str, Any]) -> Pending:
    row, created = _existing_or_new(refs, "staff", Staff, external_id)
    errors: dict[str, str] = {}
    branch = refs.require("branch", data["branch"], "branch", errors) if data.get("branch") else None
    services = [refs.require("service", ext, "services", errors) for ext in data.get("services", [])]
    if errors:
        raise SyncRefused(errors)
    values: dict[str, Any] = {key: data[key] for key in ("name", "email", "is_active") if key in data}
    before, after = apply_values(row, values)
    if "branch" in data and link(row, "branch", branch):
        before["branch"], after["branch"] = "(was another)", data["branch"]
    if "services" in data:
        replace_links(row, "services", services, before, after)
    return _finish(refs, "staff", row, created, before, after)


def upsert_customer(refs: References, external_id: str, data: dict[str, Any], region: str) -> Pending:
    row, created = _existing_or_new(refs, "customer", Customer, external_id)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {key: data[key] for key in ("name", "email", "language") if key in data}
    if data.get("phone"):
        try:
            values["phone"] = normalize_phone(data["phone"], region)
        except ValueError as refused:
            errors["phone"] = english(refused.args[0])  # the sync API answers in English
    elif "phone" in data:
        values["phone"] = None
    if "consents" in data:
        consents, message = clean_consents(data["consents"])
        if message:
            errors["consents"] = message
        values["consents"] = consents
    if errors:
        raise SyncRefused(errors)
    if created:
        row.consents = {}
    before, after = apply_values(row, values)
    return _finish(refs, "customer", row, created, before, after)

"""Branches: create, rename and edit, which services they offer."""
from typing import Any

from portal.domain.organisation import CITY_MAX, check_timezone, clean_external_id, clean_name, clean_text
from portal.extensions import db
from portal.models import Branch, Service, User
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


def clean_branch(company_id: int, raw: dict[str, Any], own_id: int | None = None) -> tuple[dict, dict]:
    """(values, errors by field) of a branch form; `service_ids` become Service records."""
    values, errors = {}, {}
    for key, (value, error) in {
        "name": clean_name(raw.get("name")),
        "city": clean_text(raw.get("city"), "The city", CITY_MAX, required=False),
        "timezone": check_timezone(raw.get("timezone"), required=False),
        "external_id": clean_external_id(raw.get("external_id")),
    }.items():
        if error:
            errors[key] = error
        values[key] = value
    if "service_ids" in raw:
        services, error = records_by_ids(Service, company_id, raw["service_ids"], "service")
        if error:
            errors["service_ids"] = error
        values["services"] = services
    check_unique(Branch, company_id, values, own_id, errors)
    return values, errors


def create_branch(actor: User | None, company_id: int, raw: dict[str, Any], commit: bool = True) -> Outcome:
    values, errors = clean_branch(company_id, raw)
    if errors:
        return Outcome(errors=errors)
    services = values.pop("services", [])
    branch = Branch(company_id=company_id, **values)
    branch.services = services
    db.session.add(branch)
    db.session.flush()
    after = {**{key: value for key, value in values.items() if value is not None},
             "services": sorted(service.id for service in services)}
    return save_change(actor, branch, "branch", "create", {}, after, commit)


def update_branch(actor: User, branch: Branch, raw: dict[str, Any], expected_version: int) -> Outcome:
    values, errors = clean_branch(branch.company_id, raw, branch.id)
    if errors:
        return Outcome(branch, errors=errors)
    services = values.pop("services", None)
    if branch.version != expected_version or not claim_version(branch, expected_version):
        return Outcome(branch, conflict=conflict_of(branch, "branch"))
    before, after = apply_values(branch, values)
    if services is not None:
        replace_links(branch, "services", services, before, after)
    if not after:
        db.session.rollback()  # gives the claimed version back: nothing changed
        return Outcome(branch)
    return save_change(actor, branch, "branch", "update", before, after)

"""The services catalog: name, price (EUR), duration, and the branches that offer each service."""
from typing import Any

from portal.domain.organisation import clean_external_id, clean_name, parse_duration, parse_price
from portal.extensions import db
from portal.models import Branch, Service, User
from portal.services.organisation.nodes import (
    Outcome,
    apply_values,
    audit_value,
    check_unique,
    claim_version,
    conflict_of,
    records_by_ids,
    replace_links,
    save_change,
)


def clean_service(company_id: int, raw: dict[str, Any], own_id: int | None = None) -> tuple[dict, dict]:
    """(values, errors by field) of a service form; `branch_ids` become Branch records."""
    values, errors = {}, {}
    for key, (value, error) in {
        "name": clean_name(raw.get("name")),
        "price": parse_price(raw.get("price")),
        "duration_minutes": parse_duration(raw.get("duration_minutes")),
        "external_id": clean_external_id(raw.get("external_id")),
    }.items():
        if error:
            errors[key] = error
        values[key] = value
    if "branch_ids" in raw:
        branches, error = records_by_ids(Branch, company_id, raw["branch_ids"], "branch")
        if error:
            errors["branch_ids"] = error
        values["branches"] = branches
    check_unique(Service, company_id, values, own_id, errors)
    return values, errors


def create_service(actor: User | None, company_id: int, raw: dict[str, Any], commit: bool = True) -> Outcome:
    values, errors = clean_service(company_id, raw)
    if errors:
        return Outcome(errors=errors)
    branches = values.pop("branches", [])
    service = Service(company_id=company_id, **values)
    service.branches = branches
    db.session.add(service)
    db.session.flush()
    after = {key: audit_value(value) for key, value in values.items() if value is not None}
    return save_change(actor, service, "service", "create", {},
                       {**after, "branches": sorted(branch.id for branch in branches)}, commit)


def update_service(actor: User, service: Service, raw: dict[str, Any], expected_version: int) -> Outcome:
    values, errors = clean_service(service.company_id, raw, service.id)
    if errors:
        return Outcome(service, errors=errors)
    branches = values.pop("branches", None)
    if service.version != expected_version or not claim_version(service, expected_version):
        return Outcome(service, conflict=conflict_of(service, "service"))
    before, after = apply_values(service, values)
    if branches is not None:
        replace_links(service, "branches", branches, before, after)
    if not after:
        db.session.rollback()
        return Outcome(service)
    return save_change(actor, service, "service", "update", before, after)

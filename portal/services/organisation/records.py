"""One way to create and edit a branch, a service or a staff member: the kind's rules say which
fields it has (each with its cleaner from portal.domain.organisation) and which lists of links;
clean → compare-and-set the version → write → audit → commit is the same for all three."""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.domain.organisation import Cleaned
from portal.extensions import db
from portal.models import User
from portal.services.organisation.nodes import (
    Node,
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


@dataclass(frozen=True)
class RecordRules:
    model: type[Node]
    cleaners: dict[str, Callable[[Any], Cleaned]]  # field → cleaner of its raw value
    links: dict[str, tuple[str, type[Node]]]  # form key of a list of ids → (attribute, linked model)
    # More of a kind's own rules: (company id, raw, own id, values, errors), filling values/errors.
    extra_clean: Callable[..., None] | None = None
    # After a write: (actor, record, values) → what else changed, for the audit entry.
    after_write: Callable[..., dict] = field(default=lambda actor, record, values: {})

    def create(self, actor: User | None, company_id: int, raw: dict, commit: bool = True) -> "Outcome":
        return create_record(self, actor, company_id, raw, commit)

    def update(self, actor: User, record: Any, raw: dict, expected_version: int) -> "Outcome":
        return update_record(self, actor, record, raw, expected_version)


def clean_fields(cleaners: Mapping[str, Callable[[Any], Cleaned]], raw: dict) -> tuple[dict, dict]:
    """(values, errors by field): each field's raw value through its cleaner."""
    values, errors = {}, {}
    for key, cleaner in cleaners.items():
        values[key], error = cleaner(raw.get(key))
        if error:
            errors[key] = error
    return values, errors


def clean_record(rules: RecordRules, company_id: int, raw: dict,
                 own_id: int | None = None) -> tuple[dict, dict]:
    values, errors = clean_fields(rules.cleaners, raw)
    if rules.extra_clean is not None:
        rules.extra_clean(company_id, raw, own_id, values, errors)
    for key, (attribute, model) in rules.links.items():
        if key in raw:
            values[attribute], error = records_by_ids(model, company_id, raw[key], model.level)
            if error:
                errors[key] = error
    check_unique(rules.model, company_id, values, own_id, errors)
    return values, errors


def _split(rules: RecordRules, values: dict) -> tuple[dict, dict]:
    """(plain column values, the rest: links and the kind's extras)."""
    plain = {key: value for key, value in values.items() if key in rules.model.__table__.columns}
    return plain, {key: value for key, value in values.items() if key not in plain}


def create_record(rules: RecordRules, actor: User | None, company_id: int, raw: dict,
                  commit: bool = True) -> Outcome:
    values, errors = clean_record(rules, company_id, raw)
    if errors:
        return Outcome(errors=errors)
    plain, rest = _split(rules, values)
    record = rules.model(company_id=company_id, **plain)
    for attribute, _ in rules.links.values():
        setattr(record, attribute, rest.get(attribute, []))
    db.session.add(record)
    db.session.flush()
    after = {key: audit_value(value) for key, value in values.items() if value is not None and key in plain}
    after.update({attribute: audit_value(rest.get(attribute, [])) for attribute, _ in rules.links.values()})
    after.update(rules.after_write(actor, record, rest))
    return save_change(actor, record, record.level, "create", {}, after, commit)


def update_record(rules: RecordRules, actor: User, record: Any, raw: dict, expected_version: int) -> Outcome:
    values, errors = clean_record(rules, record.company_id, raw, record.id)
    if errors:
        return Outcome(record, errors=errors)
    if record.version != expected_version or not claim_version(record, expected_version):
        return Outcome(record, conflict=conflict_of(record, record.level))
    plain, rest = _split(rules, values)
    before, after = apply_values(record, plain)
    for attribute, _ in rules.links.values():
        if attribute in rest:
            replace_links(record, attribute, rest[attribute], before, after)
    after.update(rules.after_write(actor, record, rest))
    if not after:
        db.session.rollback()  # gives the claimed version back: nothing changed
        return Outcome(record)
    return save_change(actor, record, record.level, "update", before, after)

"""Plain values the organisation templates render: form values, checkbox options, record facts."""
from dataclasses import dataclass

from portal.domain.organisation import LANGUAGE_LABELS
from portal.domain.parsing import parse_id
from portal.extensions import db
from portal.models import Branch, Service, Staff, User
from portal.services.organisation.nodes import last_change
from portal.services.organisation.read import choices
from portal.services.organisation.staff import linked_account, unlinked_accounts
from portal.services.scope import Scope

LANGUAGE_CHOICES = list(LANGUAGE_LABELS.items())


@dataclass(frozen=True)
class Option:
    """One checkbox of a list (services offered, branches offering, services performed)."""

    id: int
    name: str
    checked: bool
    active: bool


def record_values(kind: str, entity) -> dict:
    """What the form shows for a record (or a new one): strings, and lists of ids as strings."""
    if entity is None:
        return {"duration_minutes": "30"} if kind == "service" else {}
    values = {"name": entity.name, "external_id": entity.external_id or "", "version": entity.version}
    if kind == "branch":
        values.update(city=entity.city or "", timezone=entity.timezone or "",
                      service_ids=[str(s.id) for s in entity.services])
    elif kind == "service":
        values.update(price="" if entity.price is None else f"{entity.price:.2f}",
                      duration_minutes=str(entity.duration_minutes),
                      branch_ids=[str(b.id) for b in entity.branches])
    else:
        account = linked_account(entity)
        values.update(email=entity.email or "", branch_id=str(entity.branch_id or ""),
                      service_ids=[str(s.id) for s in entity.services],
                      user_id=str(account.id) if account else "")
    return values


def options(model, company_id: int, chosen: list) -> list[Option]:
    """Checkboxes of the active records, plus inactive ones already chosen (kept, marked)."""
    ids = {ident for value in chosen if (ident := parse_id(value)) is not None}
    return [Option(row.id, row.name, row.id in ids, row.is_active) for row in choices(model, company_id, ids)]


def record_form_context(kind: str, company_id: int, entity, values: dict) -> dict:
    """The choices of a record's form and what its page tells beside it."""
    context: dict = {"values": values}
    if kind == "branch":
        context["service_options"] = options(Service, company_id, values.get("service_ids", []))
    elif kind == "service":
        context["branch_options"] = options(Branch, company_id, values.get("branch_ids", []))
    else:
        home = {ident} if (ident := parse_id(values.get("branch_id"))) is not None else set()
        context.update(service_options=options(Service, company_id, values.get("service_ids", [])),
                       branch_choices=[(b.id, b.name + ("" if b.is_active else " (inactive)"))
                                       for b in choices(Branch, company_id, home)],
                       account_choices=account_choices(company_id, entity))
    if entity is not None:
        context.update(record_facts(kind, company_id, entity))
    return context


def account_choices(company_id: int, member) -> list[tuple[int, str]]:
    return [(user.id, f"{user.name} · {user.role_label}")
            for user in unlinked_accounts(company_id, member.id if member else None)]


def record_facts(kind: str, company_id: int, entity) -> dict:
    """Who changed the record last, and the people attached to a branch."""
    who, when = last_change(company_id, kind, entity.id)
    facts: dict = {"changed_by": who, "changed_at": when}
    if kind == "branch":
        company = Scope.company(company_id)
        facts["branch_staff"] = list(db.session.scalars(company.select(Staff, Staff.branch_id == entity.id)
                                                        .order_by(Staff.is_active.desc(), Staff.name)))
        facts["branch_users"] = list(db.session.scalars(company.select(User, User.branch_id == entity.id)
                                                        .order_by(User.name)))
    return facts

"""A company: started from nothing (`flask companies create`) and its settings changed by admins."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal.domain.messages import M_
from portal.domain.organisation import (
    check_language,
    check_region,
    check_timezone,
    clean_email,
    clean_name,
    clean_slug,
)
from portal.extensions import db
from portal.models import Company, User
from portal.services.organisation.nodes import Outcome, apply_values, claim_version, conflict_of, save_change
from portal.services.organisation.records import clean_fields
from portal.services.organisation.users import UserOutcome, create_user


@dataclass
class NewCompany:
    company: Company | None
    admin: UserOutcome | None
    errors: dict[str, str]


SETTINGS_RULES = {
    "name": lambda value: clean_name(value, M_("The company name")),
    "timezone": check_timezone,
    "default_region": check_region,
    "default_language": check_language,
    # The address notification emails come from (its name is the company's); none: MAIL_FROM.
    "email_sender": clean_email,
}


def clean_settings(raw: dict[str, Any]) -> tuple[dict, dict]:
    return clean_fields(SETTINGS_RULES, raw)


def create_company(raw: dict[str, Any], admin: dict[str, Any], now: datetime,
                   admin_password: str | None = None, commit: bool = True) -> NewCompany:
    """The company and its first admin, in one transaction. Without `admin_password` the admin
    sets one through the one-time link in `admin.token`."""
    values, errors = clean_settings(raw)
    slug, error = clean_slug(raw.get("slug"))
    if error:
        errors["slug"] = error
    elif db.session.scalar(select(Company.id).where(Company.slug == slug)):
        errors["slug"] = M_("The slug “%(slug)s” is taken by another company.", slug=slug)
    if errors:
        return NewCompany(None, None, errors)
    company = Company(slug=slug, **values)
    db.session.add(company)
    db.session.flush()
    outcome = create_user(None, company.id, {**admin, "role": "admin"}, now, admin_password, commit=False)
    if not outcome.ok:
        db.session.rollback()
        return NewCompany(None, outcome, {f"admin_{key}": message for key, message in outcome.errors.items()})
    save_change(outcome.entity, company, "company", "create", {}, {**values, "slug": slug}, commit)
    return NewCompany(company, outcome, {})


def update_settings(actor: User, company: Company, raw: dict[str, Any], expected_version: int) -> Outcome:
    """Name, time zone, phone region and language of the company, version-checked."""
    values, errors = clean_settings(raw)
    if errors:
        return Outcome(company, errors=errors)
    if company.version != expected_version or not claim_version(company, expected_version):
        return Outcome(company, conflict=conflict_of(company, "company"))
    before, after = apply_values(company, values)
    if not after:
        db.session.rollback()
        return Outcome(company)
    return save_change(actor, company, "company", "update", before, after)

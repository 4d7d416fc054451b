"""The security event log as admins read it: their company's events, filtered, newest first."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.domain.clock import local_days
from portal.domain.paging import Page, clamp_page
from portal.extensions import db
from portal.models import SecurityEvent, User
from portal.services.scope import Scope


@dataclass(frozen=True)
class EventFilters:
    kind: str | None = None
    user_id: int | None = None
    first_day: date | None = None  # company-local days, both included
    last_day: date | None = None


def events_page(scope: Scope, filters: EventFilters, tz_name: str, page: int, per_page: int) -> Page:
    """One page of the company's security events matching `filters`, newest first."""
    company = scope.whole_company()
    criteria = []
    if filters.kind:
        criteria.append(SecurityEvent.kind == filters.kind)
    if filters.user_id:
        criteria.append(SecurityEvent.user_id == filters.user_id)
    start, end = local_days(filters.first_day, filters.last_day, tz_name)
    if start is not None:
        criteria.append(SecurityEvent.created_at >= start)
    if end is not None:
        criteria.append(SecurityEvent.created_at < end)
    stmt = company.select(SecurityEvent, *criteria)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    number = clamp_page(page, total, per_page)
    rows = db.session.scalars(stmt.options(joinedload(SecurityEvent.user))
                              .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
                              .limit(per_page).offset((number - 1) * per_page)).all()
    return Page(list(rows), number, per_page, total)


def company_users(scope: Scope) -> list[User]:
    """Everyone of the company, for the "user" filter."""
    return list(db.session.scalars(scope.whole_company().select(User).order_by(User.name)).all())

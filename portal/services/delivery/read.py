"""Reading the delivery log: filtered lists, one delivery with its attempts, sections for the
customer, callback and appointment pages, the dashboard's failures of the last 24 hours."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.domain.clock import local_days
from portal.extensions import db
from portal.models import Delivery, DeliveryAttempt
from portal.services.scope import Scope

SECTION_SIZE = 10


@dataclass(frozen=True)
class LogFilters:
    event: str | None = None
    channel: str | None = None
    status: str | None = None
    customer: str = ""  # part of the recipient's name, email or phone
    customer_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None


def log_query(scope: Scope, filters: LogFilters, tz_name: str) -> Select:
    """Deliveries in `scope` matching `filters`, newest first (served by the company/created index)."""
    stmt = scope.select(Delivery).options(selectinload(Delivery.attempts))
    if filters.event:
        stmt = stmt.where(Delivery.event_type == filters.event)
    if filters.status:
        stmt = stmt.where(Delivery.status == filters.status)
    if filters.channel:
        stmt = stmt.where(exists().where(DeliveryAttempt.delivery_id == Delivery.id,
                                         DeliveryAttempt.channel == filters.channel))
    if filters.customer_id:
        stmt = stmt.where(Delivery.customer_id == filters.customer_id)
    if filters.customer:
        pattern = "%" + filters.customer.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Delivery.recipient_name.like(pattern, escape="\\"),
                              Delivery.recipient_email.like(pattern, escape="\\"),
                              Delivery.recipient_phone.like(pattern, escape="\\")))
    start, end = local_days(filters.day_from, filters.day_to, tz_name)
    if start is not None:
        stmt = stmt.where(Delivery.created_at >= start)
    if end is not None:
        stmt = stmt.where(Delivery.created_at < end)
    return stmt.order_by(Delivery.created_at.desc(), Delivery.id.desc())


def section(scope: Scope, *, customer_id: int | None = None, appointment_id: int | None = None,
            callback_id: int | None = None, limit: int = SECTION_SIZE) -> Sequence[Delivery]:
    """The latest deliveries about one customer, appointment or callback (for its page)."""
    stmt = scope.select(Delivery).options(selectinload(Delivery.attempts))
    if customer_id is not None:
        stmt = stmt.where(Delivery.customer_id == customer_id)
    if appointment_id is not None:
        stmt = stmt.where(Delivery.appointment_id == appointment_id)
    if callback_id is not None:
        stmt = stmt.where(Delivery.callback_id == callback_id)
    stmt = stmt.order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(limit)
    return db.session.scalars(stmt).all()


def failed_recently(scope: Scope, now: datetime, hours: int = 24) -> Select:
    """The count of deliveries that failed in the last `hours` (by the time their last attempt
    was made); a statement, which the dashboard asks together with its other counts."""
    since = now - timedelta(hours=hours)
    return select(func.count()).select_from(Delivery).where(
        *scope.where(Delivery), Delivery.status == "failed", Delivery.updated_at >= since)


def event_labels() -> dict[str, str]:
    """Event type → its label, for lists of deliveries."""
    from portal.services.notifications.read import load_events

    return {event.event_type: event.label for event in load_events()}

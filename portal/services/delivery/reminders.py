"""Reminders: planned for upcoming appointments from each reminder event's offset, moved when the
appointment moves, dropped when it is cancelled (DESIGN §11).

A planned reminder is a delivery whose first attempts are due at starts_at + offset. Its
dedupe_key names the appointment, the event and the start it reminds of, so planning again (the
periodic `flask notifications plan-reminders`, or a second machine) never plans it twice, and a
moved appointment gets reminders for its new time.
"""
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from portal.domain.clock import whole_seconds
from portal.domain.delivery import REMINDER_EVENTS, reminder_fire_at
from portal.extensions import db
from portal.models import Appointment, Delivery, DeliveryAttempt, utcnow
from portal.services.delivery.outbox import Outbox, event_path, from_row, status_of
from portal.services.delivery.values import event_values, zone_of
from portal.services.scope import Scope

CHUNK = 1000


def reminder_key(appointment_id: int, event_type: str, starts_at: datetime) -> str:
    return f"reminder:{appointment_id}:{event_type}:{starts_at:%Y%m%dT%H%M%S}"


def plan_for(outbox: Outbox, appointment: Appointment, now: datetime,
             existing: set[str] | None = None, drafts: list[dict] | None = None) -> int:
    """Plan the reminders of one scheduled appointment whose time has not passed; the number planned.
    With `drafts` they are collected there as column values (for one bulk INSERT) instead of added."""
    if appointment.status != "scheduled":
        return 0
    planned = 0
    for event_type in REMINDER_EVENTS:
        key = reminder_key(appointment.id, event_type, appointment.starts_at)
        if existing is not None and key in existing:
            continue
        event, _ = outbox.resolve(_path(outbox, appointment), event_type)
        fire_at = reminder_fire_at(event, appointment.starts_at)
        if fire_at is None or fire_at <= now:
            continue
        if existing is None and _exists(outbox.company_id, key):
            continue
        row = outbox.draft(event_type, appointment=appointment, now=now, fire_at=fire_at, dedupe_key=key)
        if row is None:
            continue
        if drafts is not None:
            drafts.append(row)
        else:
            from_row(row)
        planned += 1
    return planned


def insert_drafts(drafts: list[dict]) -> None:
    """Deliveries and their attempts by two bulk INSERTs (the deliveries' ids come back in order)."""
    if not drafts:
        return
    rows = [{key: value for key, value in draft.items() if key != "attempts"} for draft in drafts]
    returning = insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True)
    ids = db.session.scalars(returning, rows).all()
    attempts = [{**attempt, "delivery_id": ident} for ident, draft in zip(ids, drafts, strict=True)
                for attempt in draft["attempts"]]
    db.session.execute(insert(DeliveryAttempt), attempts)


def _path(outbox: Outbox, appointment: Appointment):
    return event_path(outbox.company_id, appointment, None)


def _exists(company_id: int, key: str) -> bool:
    return db.session.scalar(select(Delivery.id).where(*Scope.company(company_id).where(Delivery),
                                                       Delivery.dedupe_key == key)) is not None


def plan_reminders(company_id: int, now: datetime | None = None, chunk: int = CHUNK) -> int:
    """Plan every missing reminder of the company's upcoming appointments (idempotent), committing
    per chunk so memory stays flat however many appointments there are."""
    now = whole_seconds(now or utcnow())
    outbox, planned = Outbox(company_id), 0
    for appointments in _upcoming(company_id, now, chunk):
        existing: set[str] = set(db.session.scalars(select(Delivery.dedupe_key).where(
            *Scope.company(company_id).where(Delivery),
            Delivery.appointment_id.in_([a.id for a in appointments]), Delivery.dedupe_key.is_not(None))))
        drafts: list[dict] = []
        for appointment in appointments:
            planned += plan_for(outbox, appointment, now, existing, drafts)
        insert_drafts(drafts)
        db.session.commit()
        db.session.expunge_all()  # memory stays flat: nothing of the chunk is kept
        outbox.reload()
    return planned


def _upcoming(company_id: int, now: datetime, chunk: int) -> Iterator[list[Appointment]]:
    """Scheduled appointments starting after `now`, in chunks by id (keyset, no OFFSET)."""
    after = 0
    while True:
        rows = list(db.session.scalars(
            Scope.company(company_id).select(Appointment, Appointment.status == "scheduled",
                                             Appointment.starts_at > now, Appointment.id > after)
            .options(joinedload(Appointment.customer), joinedload(Appointment.service),
                     joinedload(Appointment.staff), joinedload(Appointment.branch))
            .order_by(Appointment.id).limit(chunk)))
        if not rows:
            return
        after = rows[-1].id  # read before the caller lets go of the rows
        yield rows


def _pending_reminders(appointment: Appointment) -> list[Delivery]:
    return list(db.session.scalars(
        Scope.company(appointment.company_id).select(
            Delivery, Delivery.appointment_id == appointment.id, Delivery.event_type.in_(REMINDER_EVENTS),
            Delivery.status == "pending")))


def _not_started(delivery: Delivery) -> bool:
    return all(attempt.status in ("due", "skipped") for attempt in delivery.attempts)


def move_reminders(appointment: Appointment, now: datetime) -> None:
    """After a reschedule: reminders not yet sent move to the new time (or are dropped when that
    moment has passed), and any reminder the new time calls for is planned. Caller commits."""
    outbox = Outbox(appointment.company_id)
    for delivery in _pending_reminders(appointment):
        if not _not_started(delivery):
            continue
        event, _ = outbox.resolve(_path(outbox, appointment), delivery.event_type)
        fire_at = reminder_fire_at(event, appointment.starts_at)
        if fire_at is None or fire_at <= now:
            _cancel(delivery, now, "the appointment moved; this reminder's time has passed")
            continue
        zone = zone_of(appointment, None, outbox.company.timezone)
        delivery.fire_at = fire_at
        delivery.dedupe_key = reminder_key(appointment.id, delivery.event_type, appointment.starts_at)
        delivery.values = event_values(appointment, None, None, delivery.language, zone)
        delivery.updated_at = now
        for attempt in delivery.attempts:
            if attempt.status == "due":
                attempt.due_at, attempt.updated_at = fire_at, now
    db.session.flush()
    plan_for(outbox, appointment, now)


def drop_reminders(appointment: Appointment, now: datetime,
                   why: str = "the appointment was cancelled") -> None:
    """After a cancellation: its reminders not yet sent are cancelled. Caller commits."""
    for delivery in _pending_reminders(appointment):
        _cancel(delivery, now, why)


def _cancel(delivery: Delivery, now: datetime, why: str) -> None:
    for attempt in delivery.attempts:
        if attempt.status == "due":
            attempt.status, attempt.answer = "cancelled", why
            attempt.finished_at = attempt.updated_at = now
    delivery.dedupe_key = None  # free the key: it named a start that no longer holds
    delivery.status = status_of(delivery)
    delivery.updated_at = now


def reminders_of(appointments: Iterable[Appointment], now: datetime) -> None:
    """Plan the reminders of appointments just created (the booking system's sync). Caller commits."""
    outboxes: dict[int, Outbox] = {}
    for appointment in appointments:
        outbox = outboxes.setdefault(appointment.company_id, Outbox(appointment.company_id))
        plan_for(outbox, appointment, now)

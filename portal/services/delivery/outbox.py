"""Events into the outbox: `emit` writes a delivery and its first attempts in the caller's
transaction (the caller commits, so the change and its notification stand or fall together).

The channels, retries, fallback and template come from the node of the event — the appointment's
or callback's (branch, service, staff) — through the same resolver the delivery-plan page shows
(services/notifications/read.py: node_matrix), and the delivery keeps what it resolved to.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from portal.domain.clock import whole_seconds
from portal.domain.delivery import (
    delivery_status,
    first_channels,
    plan_at,
    plan_shape,
    plan_snapshot,
    reachable_somehow,
    rules_of,
    unreachable,
)
from portal.domain.inheritance import NodeKey
from portal.domain.notifications import Event, ResolvedCell
from portal.extensions import db
from portal.models import Appointment, CallbackRequest, Company, Customer, Delivery, DeliveryAttempt, utcnow
from portal.services.delivery.values import event_values, zone_of
from portal.services.notifications.read import node_matrix
from portal.services.policies.read import NodeRef


class UnknownEvent(ValueError):
    """An event type that is not in the catalog."""


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str | None
    phone: str | None
    customer_id: int | None
    language: str | None
    consents: Mapping[str, bool]


def event_path(company_id: int, appointment: Appointment | None,
               callback: CallbackRequest | None) -> tuple[NodeKey, ...]:
    """The node an event resolves at: company, branch, service, staff of what it is about."""
    source = appointment if appointment is not None else callback
    path: list[NodeKey] = [("company", company_id)]
    if source is None:
        return tuple(path)
    staff_id = appointment.staff_id if appointment is not None else callback.staff_id  # type: ignore[union-attr]
    for level, ident in (("branch", source.branch_id), ("service", source.service_id), ("staff", staff_id)):
        if ident is not None:
            path.append((level, ident))
    return tuple(path)


def node_of(path: tuple[NodeKey, ...]) -> NodeRef:
    level, ident = path[-1]
    return NodeRef(level, ident, "", path)


def path_text(path: tuple[NodeKey, ...]) -> str:
    return "/".join(f"{level}:{ident}" for level, ident in path)


def recipient_of(appointment: Appointment | None, callback: CallbackRequest | None,
                 customer: Customer | None) -> Recipient:
    """Who hears of the event. A callback requester without a customer record gave this phone (and
    email) for this very request, so its messages may use them."""
    customer = customer or (appointment.customer if appointment is not None else None) or (
        callback.customer if callback is not None else None)
    if customer is not None:
        return Recipient(customer.name, customer.email, customer.phone, customer.id, customer.language,
                         dict(customer.consents or {}))
    if callback is not None:
        consents = {"sms": True, "email": bool(callback.customer_email)}
        return Recipient(callback.customer_name, callback.customer_email, callback.phone_number, None, None,
                         consents)
    raise ValueError("An event needs an appointment, a callback or a customer to be about.")


class Outbox:
    """Writes deliveries; keeps what it resolved, so planning many reminders resolves each node once."""

    def __init__(self, company_id: int):
        self.company_id = company_id
        company = db.session.get(Company, company_id)
        if company is None:
            raise ValueError(f"No company {company_id}")
        self.company: Company = company
        self._cells: dict[tuple[tuple[NodeKey, ...], str], tuple[Event, dict[str, ResolvedCell]]] = {}
        self._shapes: dict[tuple[tuple[NodeKey, ...], str], tuple[dict, list[dict]]] = {}

    def reload(self) -> None:
        """Read the company again (after the session let go of everything)."""
        company = db.session.get(Company, self.company_id)
        assert company is not None
        self.company = company

    def resolve(self, path: tuple[NodeKey, ...], event_type: str) -> tuple[Event, dict[str, ResolvedCell]]:
        key = (path, event_type)
        if key not in self._cells:
            matrix = node_matrix(self.company_id, node_of(path))
            event = next((e for e in matrix.events if e.event_type == event_type), None)
            if event is None:
                raise UnknownEvent(f"Unknown notification event {event_type!r}")
            self._cells[key] = (event, matrix.cells_of(event_type))
        return self._cells[key]

    def draft(self, event_type: str, *, appointment: Appointment | None = None,
              callback: CallbackRequest | None = None, customer: Customer | None = None,
              values: Mapping | None = None, now: datetime | None = None, fire_at: datetime | None = None,
              dedupe_key: str | None = None) -> dict | None:
        """The delivery of one event as column values, its first attempts under "attempts"; None when
        no channel is switched on (or, for a planned reminder, nobody could receive it)."""
        now = whole_seconds(now or utcnow())
        fire_at = whole_seconds(fire_at or now)
        path = event_path(self.company_id, appointment, callback)
        event, cells = self.resolve(path, event_type)
        if (path, event_type) not in self._shapes:
            self._shapes[(path, event_type)] = plan_shape(event, cells)
        plan = plan_at(self._shapes[(path, event_type)], fire_at)
        rules = rules_of(plan)
        channels = first_channels(event, rules)
        if not channels:
            return None  # switched off at this node: nothing to send, nothing to log
        recipient = recipient_of(appointment, callback, customer)
        reach = Reach(recipient.consents, recipient.email, recipient.phone, recipient.customer_id is not None)
        if dedupe_key is not None and not reachable_somehow(channels, rules, *reach):
            return None  # a planned reminder nobody could receive is not planned (nothing to log)
        language = recipient.language or self.company.default_language or "de"
        zone = zone_of(appointment, callback, self.company.timezone)
        source = appointment if appointment is not None else callback
        attempts = [row for channel in channels
                    for row in first_attempt_rows(self.company_id, rules, reach, channel, fire_at, now)]
        return {
            "company_id": self.company_id, "event_type": event_type, "fire_at": fire_at,
            "status": delivery_status((row["chain"], row["status"]) for row in attempts),
            "node_path": path_text(path), "branch_id": source.branch_id if source is not None else None,
            "customer_id": recipient.customer_id,
            "appointment_id": appointment.id if appointment is not None else None,
            "callback_id": callback.id if callback is not None else None,
            "recipient_name": recipient.name[:200], "recipient_email": recipient.email,
            "recipient_phone": recipient.phone, "language": language, "dedupe_key": dedupe_key,
            # Events about a customer alone still greet them and sign with the company's name.
            "values": {"customer_name": recipient.name, "branch_name": self.company.name,
                       **event_values(appointment, callback, values, language, zone)},
            "plan": {**plan, "consents": dict(recipient.consents)}, "created_at": now, "updated_at": now,
            "attempts": attempts}

    def emit(self, event_type: str, **event) -> Delivery | None:
        """The delivery of one event, added to the session (see `draft` for the arguments)."""
        row = self.draft(event_type, **event)
        return None if row is None else from_row(row)


class Reach(NamedTuple):
    """How a recipient can be reached (the arguments of domain.delivery.unreachable after the channel)."""

    consents: Mapping[str, bool]
    email: str | None
    phone: str | None
    has_customer: bool


def reach_of(delivery: Delivery) -> Reach:
    return Reach(delivery.plan.get("consents", {}), delivery.recipient_email, delivery.recipient_phone,
                 delivery.customer_id is not None)


def from_row(row: dict) -> Delivery:
    """A delivery and its attempts from `draft`'s values, added to the session."""
    row = dict(row)
    attempts = row.pop("attempts")
    delivery = Delivery(**row)
    delivery.attempts = [DeliveryAttempt(**attempt) for attempt in attempts]
    db.session.add(delivery)
    return delivery


def attempt_row(company_id: int, chain: str, channel: str, kind: str, number: int, due_at: datetime,
                now: datetime, status: str = "due", answer: str | None = None) -> dict:
    return {"company_id": company_id, "chain": chain, "channel": channel, "kind": kind, "number": number,
            "due_at": due_at, "status": status, "answer": answer,
            "finished_at": now if status != "due" else None, "created_at": now, "updated_at": now}


def first_attempt_rows(company_id: int, rules, reach: Reach, channel: str, due_at: datetime,
                       now: datetime) -> list[dict]:
    """The first attempt of a channel: due, or skipped (no consent or address) and its fallback."""
    problem = unreachable(channel, *reach)
    if problem is None:
        return [attempt_row(company_id, channel, channel, "first", 1, due_at, now)]
    rows = [attempt_row(company_id, channel, channel, "first", 1, due_at, now, "skipped", problem)]
    fallback = rules[channel].fallback
    if fallback and fallback != channel:
        rows.append(fallback_row(company_id, reach, channel, fallback, due_at, now))
    return rows


def fallback_row(company_id: int, reach: Reach, chain: str, channel: str, due_at: datetime,
                 now: datetime) -> dict:
    problem = unreachable(channel, *reach)
    return attempt_row(company_id, chain, channel, "fallback", 1, due_at, now,
                       "skipped" if problem else "due", problem)


def add_fallback(delivery: Delivery, chain: str, channel: str, due_at: datetime, now: datetime) -> None:
    delivery.attempts.append(DeliveryAttempt(**fallback_row(delivery.company_id, reach_of(delivery), chain,
                                                            channel, due_at, now)))


def add_attempt(delivery: Delivery, chain: str, channel: str, kind: str, number: int, due_at: datetime,
                now: datetime) -> None:
    delivery.attempts.append(DeliveryAttempt(**attempt_row(delivery.company_id, chain, channel, kind, number,
                                                            due_at, now)))


def status_of(delivery: Delivery) -> str:
    return delivery_status((attempt.chain, attempt.status) for attempt in delivery.attempts)


def emit(company_id: int, event_type: str, *, appointment: Appointment | None = None,
         callback: CallbackRequest | None = None, customer: Customer | None = None,
         values: Mapping | None = None, now: datetime | None = None) -> Delivery | None:
    """Write the delivery of one event (to the customer of `appointment`, `callback` or `customer`)
    into the current transaction; the caller commits. `values` adds or replaces template variables
    (datetimes are shown in the company's zone, Decimals as EUR). None when no channel is enabled."""
    return Outbox(company_id).emit(event_type, appointment=appointment, callback=callback, customer=customer,
                                   values=values, now=now)


def parse_path(text: str) -> tuple[NodeKey, ...]:
    steps = []
    for step in text.split("/"):
        level, _, ident = step.partition(":")
        steps.append((level, int(ident)))
    return tuple(steps)


def resend(delivery: Delivery, now: datetime) -> Delivery | None:
    """Send a delivery again, now: same event, recipient and values; the node's configuration and
    the customer's consents as they are today. Caller commits."""
    now = whole_seconds(now)
    outbox = Outbox(delivery.company_id)
    event, cells = outbox.resolve(parse_path(delivery.node_path), delivery.event_type)
    plan = plan_snapshot(event, cells, now)
    channels = first_channels(event, rules_of(plan))
    if not channels:
        return None
    customer = db.session.get(Customer, delivery.customer_id) if delivery.customer_id else None
    consents = dict(customer.consents or {}) if customer is not None else delivery.plan.get("consents", {})
    again = Delivery(
        company_id=delivery.company_id, event_type=delivery.event_type, status="pending", fire_at=now,
        node_path=delivery.node_path, branch_id=delivery.branch_id, customer_id=delivery.customer_id,
        appointment_id=delivery.appointment_id, callback_id=delivery.callback_id, resend_of_id=delivery.id,
        recipient_name=delivery.recipient_name, recipient_email=delivery.recipient_email,
        recipient_phone=delivery.recipient_phone, language=delivery.language, values=dict(delivery.values),
        plan={**plan, "consents": consents}, created_at=now, updated_at=now)
    reach, rules = reach_of(again), rules_of(plan)
    again.attempts = [DeliveryAttempt(**row) for channel in channels
                      for row in first_attempt_rows(delivery.company_id, rules, reach, channel, now, now)]
    again.status = status_of(again)
    db.session.add(again)
    return again

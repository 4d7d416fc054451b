"""Demo notifications: the deliveries of the demo's cancellations, with attempts as the channels
answered (simulated: the demo never sends while it is being built, whatever SMTP_URL says)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, AppointmentModification, Delivery
from portal.services.delivery.channels import Answer
from portal.services.delivery.dispatch import record
from portal.services.delivery.outbox import Outbox
from portal.services.scope import Scope

# How the channels answered, attempt by attempt, for the demo's first cancellations.
ANSWERS = (
    [Answer("ok", "accepted by mail.demo.test:25", "<demo-1@portal.invalid>"),
     Answer("ok", "HTTP 200: queued")],
    [Answer("ok", "accepted by mail.demo.test:25"), Answer("temporary", "HTTP 503: gateway busy"),
     Answer("temporary", "HTTP 503: gateway busy"), Answer("temporary", "HTTP 503: gateway busy"),
     Answer("temporary", "HTTP 503: gateway busy"), Answer("ok", "accepted by mail.demo.test:25")],
    [Answer("permanent", "SMTP 550: mailbox unavailable"), Answer("permanent", "HTTP 200: invalid number")],
)


def seed_deliveries(company, now: datetime) -> int:
    """Deliveries for the demo's first cancellations, once; returns how many were added."""
    if db.session.scalar(select(Delivery.id).where(*Scope.company(company.id).where(Delivery)).limit(1)):
        return 0
    record_of = AppointmentModification
    cancelled = db.session.scalars(
        select(Appointment).join(record_of, record_of.appointment_id == Appointment.id)
        .where(*Scope.company(company.id).where(Appointment), record_of.modification_type == "cancel")
        .order_by(record_of.created_at, Appointment.id).limit(len(ANSWERS) * 3)).all()
    outbox, made = Outbox(company.id), 0
    for appointment, answers in zip(_reachable(cancelled), ANSWERS, strict=False):
        at = now - timedelta(hours=3 - made)
        delivery = outbox.emit("cancellation", appointment=appointment, now=at,
                               values={"fee": "", "reason": ""})
        if delivery is None:
            continue
        db.session.flush()
        _answer(delivery, list(answers), at)
        made += 1
    return made


def _reachable(appointments):
    return [a for a in appointments if a.customer.email and a.customer.consents.get("email")
            and a.customer.consents.get("sms")]


def _answer(delivery: Delivery, answers: list[Answer], at: datetime) -> None:
    """Play the answers back at each attempt's planned time, as a worker would have recorded them."""
    while answers:
        due = sorted((a for a in delivery.attempts if a.status == "due"), key=lambda a: (a.due_at, a.id))
        if not due:
            return
        attempt = due[0]
        attempt.status, attempt.claimed_at = "sending", max(at, attempt.due_at)
        record(delivery, attempt, answers.pop(0), max(at, attempt.due_at))
        db.session.flush()

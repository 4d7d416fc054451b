"""Making attempts: claim what is due in the database, send it, record the answer, plan what follows.

Claiming is a conditional UPDATE (status 'due' → 'sending' with this worker's token); of two
workers that pick the same attempt exactly one matches, so every attempt is made once whatever the
number of workers or how often the job queue hands out the same id. On MariaDB the candidates are
read with FOR UPDATE SKIP LOCKED, so workers do not queue behind each other's rows.
"""
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from portal.domain.clock import whole_seconds
from portal.domain.delivery import NON_CRITICAL_EVENTS, OK, PERMANENT, after_failure, rules_of
from portal.extensions import db
from portal.models import Company, Delivery, DeliveryAttempt, utcnow
from portal.services.delivery.channels import Answer, Envelope, dev_send, smtp_send, webhook_send
from portal.services.delivery.outbox import add_attempt, add_fallback, status_of
from portal.services.delivery.templates import Message, TemplateProblem, render
from portal.services.delivery.unsubscribe import unsubscribe_url

log = logging.getLogger("portal.delivery")
BATCH = 50


@dataclass(frozen=True)
class Claimed:
    token: str
    ids: list[int]


def due_ids(now: datetime, limit: int) -> list[int]:
    """Ids of attempts due at `now`, oldest first (rows other workers hold are skipped on MariaDB)."""
    stmt = (select(DeliveryAttempt.id).where(DeliveryAttempt.status == "due", DeliveryAttempt.due_at <= now)
            .order_by(DeliveryAttempt.due_at, DeliveryAttempt.id).limit(limit))
    if db.session.get_bind().dialect.name == "mysql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def claim(ids: list[int], now: datetime) -> Claimed:
    """Take the attempts of `ids` that are still due; the ones another worker took are left."""
    token = secrets.token_hex(16)
    if ids:
        db.session.execute(
            update(DeliveryAttempt).where(DeliveryAttempt.id.in_(ids), DeliveryAttempt.status == "due",
                                          DeliveryAttempt.due_at <= now)
            .values(status="sending", claim_token=token, claimed_at=now, updated_at=now)
            .execution_options(synchronize_session=False))
    db.session.commit()
    mine = list(db.session.scalars(select(DeliveryAttempt.id).where(DeliveryAttempt.claim_token == token)
                                   .order_by(DeliveryAttempt.due_at, DeliveryAttempt.id))) if ids else []
    return Claimed(token, mine)


def dispatch_due(now: datetime | None = None, limit: int = BATCH, rounds: int | None = None) -> int:
    """Make every attempt due at `now` (in batches); the number made. `now` is fixed for the run,
    so retries planned during it wait for a later run."""
    now = whole_seconds(now or utcnow())
    recover_stale(now)
    made, round_ = 0, 0
    while rounds is None or round_ < rounds:
        round_ += 1
        claimed = claim(due_ids(now, limit), now)
        if not claimed.ids:
            break
        for attempt_id in claimed.ids:
            make_attempt(attempt_id, claimed.token, now)
            made += 1
    return made


def deliver_attempt(attempt_id: int, now: datetime | None = None) -> bool:
    """Claim and make one attempt by id (the job a queue worker runs); False when it is not due or
    another worker has it."""
    now = whole_seconds(now or utcnow())
    claimed = claim([attempt_id], now)
    if not claimed.ids:
        return False
    make_attempt(attempt_id, claimed.token, now)
    return True


def recover_stale(now: datetime) -> int:
    """Attempts claimed long ago by a worker that never answered are due again (at-least-once)."""
    limit = now - timedelta(minutes=current_app.config["DELIVERY_CLAIM_MINUTES"])
    result = cast(CursorResult, db.session.execute(
        update(DeliveryAttempt).where(DeliveryAttempt.status == "sending", DeliveryAttempt.claimed_at < limit)
        .values(status="due", claim_token=None, updated_at=now).execution_options(synchronize_session=False)))
    db.session.commit()
    if result.rowcount:
        log.warning("%d delivery attempt(s) claimed before %s had no answer; due again",
                    result.rowcount, limit)
    return result.rowcount


def make_attempt(attempt_id: int, token: str, now: datetime) -> None:
    """Send one claimed attempt and record what happened, all in one transaction."""
    attempt = db.session.get(DeliveryAttempt, attempt_id, populate_existing=True)
    if attempt is None or attempt.claim_token != token or attempt.status != "sending":
        return
    delivery = attempt.delivery
    try:
        answer = send(delivery, attempt)
    except Exception as problem:  # a bug in a provider must not leave the attempt claimed forever
        log.exception("Delivery %s attempt %s crashed", delivery.id, attempt.id)
        answer = Answer(PERMANENT, f"internal error: {type(problem).__name__}: {str(problem)[:300]}")
    record(delivery, attempt, answer, now)
    db.session.commit()


def record(delivery: Delivery, attempt: DeliveryAttempt, answer: Answer, now: datetime) -> None:
    attempt.status = "sent" if answer.outcome == OK else "failed"
    attempt.answer = f"{answer.outcome}: {answer.message}"
    attempt.provider_id = answer.provider_id
    attempt.finished_at = now
    if answer.outcome != OK:
        log.warning("Delivery %s (%s) %s attempt %s on %s failed: %s", delivery.id, delivery.event_type,
                    attempt.kind, attempt.number, attempt.channel, attempt.answer)
        step = after_failure(rules_of(delivery.plan), attempt.chain, attempt.kind, attempt.number,
                             answer.outcome == PERMANENT, now)
        if step is not None and step.kind == "retry":
            add_attempt(delivery, attempt.chain, step.channel, "retry", step.number, step.due_at, now)
        elif step is not None:
            add_fallback(delivery, attempt.chain, step.channel, step.due_at, now)
    delivery.status = status_of(delivery)
    delivery.updated_at = now


def send(delivery: Delivery, attempt: DeliveryAttempt) -> Answer:
    """Render the attempt's template and hand it to its channel."""
    config = current_app.config
    company = db.session.get(Company, delivery.company_id)
    rule = rules_of(delivery.plan)[attempt.channel]
    link = None
    if attempt.channel == "email" and delivery.event_type in NON_CRITICAL_EVENTS and delivery.customer_id:
        link = unsubscribe_url(delivery.company_id, delivery.customer_id, "email")
    try:
        message = render(current_app.instance_path, delivery.event_type, rule.template, delivery.language,
                         delivery.values, link)
    except TemplateProblem as problem:
        log.error("Delivery %s not sent: %s", delivery.id, problem)
        return Answer(PERMANENT, f"template: {problem}")
    attempt.content = content_of(message, attempt.channel)
    envelope = Envelope(delivery.id, attempt.id, delivery.company_id, delivery.event_type, attempt.channel,
                        delivery.language, delivery.recipient_name, delivery.recipient_email,
                        delivery.recipient_phone, delivery.customer_id,
                        sender_of(company, config["MAIL_FROM"]), link)
    timeout = config["NOTIFY_TIMEOUT"]
    if attempt.channel == "email":
        return smtp_send(config["SMTP_URL"], envelope, message, timeout) if config["SMTP_URL"] \
            else dev_send(envelope, message)
    url = config.get(f"NOTIFY_{attempt.channel.upper()}_URL")
    if url:
        return webhook_send(url, config["NOTIFY_WEBHOOK_SECRET"], envelope, message, timeout)
    return dev_send(envelope, message)


def sender_of(company: Company | None, default: str) -> str:
    """The company's own sender address under its name, else the portal's MAIL_FROM."""
    if company is None or not company.email_sender:
        return default
    return formataddr((company.name, company.email_sender))


def content_of(message: Message, channel: str) -> str:
    if channel == "email":
        return f"{message.subject}\n\n{message.text}"[:8000]
    return message.short[:2000]

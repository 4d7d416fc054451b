"""Raising and resolving escalations; the database keeps one unresolved escalation per reason.

`raise_escalation` inserts inside a savepoint: when the unique key
(callback, reason, open_marker) refuses the row because one is already unresolved — possibly
raised a moment ago by a concurrent sweep or agent — only the savepoint is undone and the caller
learns that nothing was raised.
"""
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import AuditEvent, CallbackEscalation, CallbackRequest, User
from portal.services import audit
from portal.services.scope import Scope


def raise_escalation(callback: CallbackRequest, reason: str, actor: User | None, now: datetime, *,
                     note: str | None = None, escalated_to=None, escalated_from=None,
                     actor_label: str | None = None,
                     details: dict | None = None) -> CallbackEscalation | None:
    """Add an unresolved escalation (and its audit event); None if one of `reason` is open already."""
    escalation = CallbackEscalation(
        company_id=callback.company_id, callback_request_id=callback.id, escalation_reason=reason,
        escalated_from=escalated_from, escalated_to=escalated_to.id if escalated_to else None,
        escalated_at=now, meta={"note": note} if note else {}, created_at=now, updated_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(escalation)
            db.session.flush()
    except IntegrityError:
        return None
    after = {"reason": reason, "escalation_id": escalation.id, "note": note, **(details or {})}
    if escalated_to is not None:
        after.update(escalated_to=escalated_to.id, escalated_to_name=escalated_to.name)
    event = audit.record(callback.company_id, actor, "escalate", "callback", callback.id, {}, after)
    event.created_at = now
    if actor_label:
        event.actor_label = actor_label
    return escalation


def open_escalation(callback: CallbackRequest, reason: str) -> CallbackEscalation | None:
    return db.session.scalar(select(CallbackEscalation).where(
        *Scope.company(callback.company_id).where(CallbackEscalation),
        CallbackEscalation.callback_request_id == callback.id,
        CallbackEscalation.escalation_reason == reason, CallbackEscalation.resolved_at.is_(None)))


def close_escalation(escalation: CallbackEscalation, notes: str, now: datetime) -> bool:
    """Resolve it if it is still unresolved (a conditional update); False if someone was first."""
    result = cast(CursorResult, db.session.execute(
        update(CallbackEscalation)
        .where(CallbackEscalation.id == escalation.id,
               *Scope.company(escalation.company_id).where(CallbackEscalation),
               CallbackEscalation.resolved_at.is_(None))
        .values(resolved_at=now, resolution_notes=notes, open_marker=None, updated_at=now)
        .execution_options(synchronize_session=False)))
    return result.rowcount == 1


def last_event(callback_id: int, company_id: int, action: str | None = None) -> AuditEvent | None:
    """The latest audit event of a callback (of one action), to tell someone who acted first."""
    stmt = select(AuditEvent).where(*Scope.company(company_id).where(AuditEvent),
                                    AuditEvent.entity_type == "callback", AuditEvent.entity_id == callback_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return db.session.scalar(stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(1))


def actor_name(event: AuditEvent | None) -> str:
    if event is None:
        return "someone else"
    return event.actor.name if event.actor else event.actor_label

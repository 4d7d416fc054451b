"""A callback's timeline, derived from what is already recorded — no table of its own.

Every change to a callback writes an audit event (entity_type "callback") with actor, before and
after: intake and merges, assignment, attempts, contact, completion, cancellation, escalations
(manual, automatic, from the sweep) and their resolution, expiry. The timeline reads those in
order. A callback created before auditing began (or imported) gets its "created" entry from
created_at.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import AuditEvent, CallbackRequest
from portal.services.scope import Scope

REASON_LABELS = {"sla_breach": "SLA breached", "manual_escalation": "Manual escalation",
                 "multiple_attempts_failed": "Too many failed attempts"}


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: str | None  # None: not recorded
    kind: str  # created, merged, assigned, attempt, contacted, completed, cancelled, escalated, …
    what: str
    detail: str | None = None


def _reason(after: dict) -> str:
    reason = str(after.get("reason"))
    return REASON_LABELS.get(reason, reason)


def _describe(action: str, after: dict, before: dict) -> tuple[str, str, str | None]:
    """(kind, sentence, detail) of one audit event."""
    note = after.get("note")
    if action == "create":
        return "created", f"Created with priority {after.get('priority', 'normal')}", None
    if action == "merge":
        raised = before.get("priority") != after.get("priority")
        what = "Merged a new request from the same phone" + (
            f"; priority raised from {before.get('priority')} to {after.get('priority')}" if raised else "")
        return "merged", what, note
    if action in ("claim", "assign"):
        verb = "Claimed by" if action == "claim" else "Assigned to"
        return "assigned", f"{verb} {after.get('assignee')}", None
    if action == "escalate":
        target = f" to {after['escalated_to_name']}" if after.get("escalated_to_name") else ""
        count = after.get("attempts")
        extra = f" after {count} attempt{'s' if count != 1 else ''}" if count else ""
        return "escalated", f"Escalated{target}: {_reason(after)}{extra}", note
    if action == "resolve_escalation":
        return "resolved", f"Resolved the escalation ({_reason(after)})", after.get("notes")
    simple = {
        "unassign": ("unassigned", "Unassigned: back to pending", None),
        "attempt": ("attempt", f"Failed contact attempt {after.get('attempts', '')}".strip(), note),
        "contacted": ("contacted", "Marked contacted", note),
        "complete": ("completed", "Completed", note),
        "cancel": ("cancelled", "Cancelled", after.get("reason")),
        "expire": ("expired", "Expired: too long past its deadline", None),
    }
    return simple.get(action, (action, action.replace("_", " ").capitalize(), None))


def timeline(callback: CallbackRequest) -> list[TimelineEntry]:
    """Everything that happened to the callback, oldest first, with who and when."""
    events = db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(*Scope.company(callback.company_id).where(AuditEvent), AuditEvent.entity_type == "callback",
               AuditEvent.entity_id == callback.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)).all()
    entries = []
    if not any(event.action == "create" for event in events):
        source = (callback.meta or {}).get("source")
        entries.append(TimelineEntry(callback.created_at, source, "created",
                                     f"Created with priority {callback.priority}"))
    for event in events:
        kind, what, detail = _describe(event.action, event.after or {}, event.before or {})
        who = event.actor.name if event.actor else event.actor_label
        entries.append(TimelineEntry(event.created_at, who, kind, what, detail))
    return entries

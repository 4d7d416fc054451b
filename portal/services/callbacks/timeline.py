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

from portal.domain.messages import M_
from portal.extensions import db
from portal.models import AuditEvent, CallbackRequest
from portal.services.scope import Scope

REASON_LABELS = {"sla_breach": M_("SLA breached"), "manual_escalation": M_("Manual escalation"),
                 "multiple_attempts_failed": M_("Too many failed attempts")}


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


PRIORITY_WORDS = {"urgent": M_("urgent"), "high": M_("high"), "normal": M_("normal")}


def _priority(value) -> str:
    return PRIORITY_WORDS.get(value or "normal", value)


def _describe(action: str, after: dict, before: dict) -> tuple[str, str, str | None]:
    """(kind, sentence, detail) of one audit event."""
    note = after.get("note")
    if action == "create":
        return "created", M_("Created with priority %(priority)s",
                             priority=_priority(after.get("priority"))), None
    if action == "merge":
        raised = before.get("priority") != after.get("priority")
        what = (M_("Merged a new request from the same phone; priority raised from %(old)s to %(new)s",
                   old=_priority(before.get("priority")), new=_priority(after.get("priority"))) if raised
                else M_("Merged a new request from the same phone"))
        return "merged", what, note
    if action in ("claim", "assign"):
        who = after.get("assignee")
        return "assigned", (M_("Claimed by %(name)s", name=who) if action == "claim"
                            else M_("Assigned to %(name)s", name=who)), None
    if action == "escalate":
        target = M_(" to %(name)s", name=after["escalated_to_name"]) if after.get("escalated_to_name") else ""
        count = after.get("attempts")
        extra = (M_(" after %(count)s attempt", count=count) if count == 1 else
                 M_(" after %(count)s attempts", count=count)) if count else ""
        return "escalated", M_("Escalated%(target)s: %(reason)s%(extra)s", target=target,
                               reason=_reason(after),
                               extra=extra), note
    if action == "resolve_escalation":
        return "resolved", M_("Resolved the escalation (%(reason)s)",
                              reason=_reason(after)), after.get("notes")
    simple = {
        "unassign": ("unassigned", M_("Unassigned: back to pending"), None),
        "attempt": ("attempt", M_("Failed contact attempt %(number)s", number=after.get("attempts", "")),
                    note),
        "contacted": ("contacted", M_("Marked contacted"), note),
        "complete": ("completed", M_("Completed"), note),
        "cancel": ("cancelled", M_("Cancelled"), after.get("reason")),
        "expire": ("expired", M_("Expired: too long past its deadline"), None),
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
                                     M_("Created with priority %(priority)s",
                                        priority=_priority(callback.priority))))
    for event in events:
        kind, what, detail = _describe(event.action, event.after or {}, event.before or {})
        who = event.actor.name if event.actor else event.actor_label
        entries.append(TimelineEntry(event.created_at, who, kind, what, detail))
    return entries

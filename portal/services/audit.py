"""The audit log: one row per change, with actor, before and after."""
from portal.extensions import db
from portal.models import AuditEvent, User


def record(company_id: int, actor: User | None, action: str, entity_type: str,
           entity_id: int | None, before: dict | None, after: dict | None) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change itself)."""
    event = AuditEvent(
        company_id=company_id, actor_id=actor.id if actor else None,
        actor_label=f"{actor.name} <{actor.email}>" if actor else "system",
        action=action, entity_type=entity_type, entity_id=entity_id,
        before=before or {}, after=after or {},
    )
    db.session.add(event)
    return event

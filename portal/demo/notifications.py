"""Demo notification configuration: a row on each level, and one company lock."""
from portal.extensions import db
from portal.models import NotificationConfiguration


def seed_notifications(company, branch, staff_member) -> None:
    """Cancellation email locked on at company level; one branch's reminder SMS retries five
    times and falls back to email; one staff member's reminder email uses their template."""
    cells = (
        ("company", company.id, "cancellation", "email", {"is_enabled": True, "locked": True}),
        ("company", company.id, "reminder_24h", "whatsapp", {"is_enabled": False}),
        ("branch", branch.id, "reminder_24h", "sms",
         {"is_enabled": True, "fallback_channel": "email", "retry_count": 5, "retry_delay_minutes": 10}),
        ("staff", staff_member.id, "reminder_24h", "email", {"template_override": "staff/personal_reminder"}),
    )
    for level, entity_id, event_type, channel, values in cells:
        db.session.add(NotificationConfiguration(
            company_id=company.id, configurable_type=level, configurable_id=entity_id,
            event_type=event_type, channel=channel, **values))

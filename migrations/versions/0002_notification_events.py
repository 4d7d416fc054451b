"""The 13 system notification events (data belongs to the schema, not to a seed script).

Revision ID: 0002
Revises: 0001
"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BOOKING_VARS = ["customer_name", "service_name", "staff_name", "branch_name", "starts_at"]

# (event_type, category, default channels, English label, German label, description,
#  timing, schedule_offset_hours, priority, extra variables)
EVENTS = (
    ("booking_confirmed", "booking", ["email", "sms"], "Booking confirmed", "Buchungsbestätigung",
     "Sent when an appointment is booked and confirmed.", "immediately", None, "high", ["price"]),
    ("booking_pending", "booking", ["email"], "Booking pending", "Buchung ausstehend",
     "Sent when a booking waits for confirmation by the business.", "immediately", None, "normal", []),
    ("reminder_24h", "reminder", ["email", "sms", "whatsapp"], "Reminder 24 hours before",
     "Erinnerung 24 Stunden vorher", "Reminds the customer one day before the appointment.",
     "before appointment", -24, "normal", ["cancel_url"]),
    ("reminder_2h", "reminder", ["sms", "push"], "Reminder 2 hours before", "Erinnerung 2 Stunden vorher",
     "Short reminder two hours before the appointment.", "before appointment", -2, "high", []),
    ("reminder_1week", "reminder", ["email"], "Reminder one week before", "Erinnerung eine Woche vorher",
     "Early reminder a week ahead, for long-planned appointments.", "before appointment", -168, "low", []),
    ("cancellation", "modification", ["email", "sms"], "Appointment cancelled", "Stornierungsbestätigung",
     "Confirms a cancellation, with any fee charged.", "immediately", None, "high", ["fee", "reason"]),
    ("reschedule_confirmed", "modification", ["email", "sms"], "Reschedule confirmed",
     "Terminverschiebung bestätigt", "Confirms the new time of a rescheduled appointment.",
     "immediately", None, "high", ["original_time", "fee"]),
    ("appointment_modified", "modification", ["email"], "Appointment changed", "Termin geändert",
     "Sent when details of an appointment change (staff, service, notes).", "immediately", None,
     "normal", ["changes"]),
    ("callback_request_received", "callback", ["email", "sms"], "Callback request received",
     "Rückrufanfrage erhalten", "Tells the customer we received their callback request.",
     "immediately", None, "normal", ["phone_number", "sla_deadline"]),
    ("callback_scheduled", "callback", ["email", "sms"], "Callback scheduled", "Rückruf geplant",
     "Tells the customer when an agent will call back.", "immediately", None, "normal",
     ["phone_number", "callback_time", "agent_name"]),
    ("no_show", "system", ["email"], "Missed appointment", "Nicht erschienen",
     "Sent after a customer missed an appointment, with any no-show fee.", "after appointment", 1,
     "normal", ["fee"]),
    ("appointment_completed", "system", ["email"], "Appointment completed", "Termin abgeschlossen",
     "Thanks the customer after the appointment and asks for feedback.", "after appointment", 2,
     "low", ["feedback_url"]),
    ("payment_received", "system", ["email"], "Payment received", "Zahlung erhalten",
     "Receipt for a payment.", "immediately", None, "normal", ["amount", "payment_method"]),
)

mappings = sa.table(
    "notification_event_mappings",
    sa.column("event_type", sa.String), sa.column("event_label", sa.String),
    sa.column("event_category", sa.String), sa.column("default_channels", sa.JSON),
    sa.column("description", sa.Text), sa.column("is_system_event", sa.Boolean),
    sa.column("is_active", sa.Boolean), sa.column("metadata", sa.JSON),
    sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime),
)


def upgrade():
    now = datetime(2026, 11, 26)
    rows = []
    for (event_type, category, channels, label, label_de, description, timing, offset,
         priority, extra) in EVENTS:
        variables = (BOOKING_VARS if category != "callback" else ["customer_name", "branch_name"]) + extra
        rows.append({
            "event_type": event_type, "event_label": label, "event_category": category,
            "default_channels": channels, "description": description, "is_system_event": True,
            "is_active": True, "created_at": now, "updated_at": now,
            "metadata": {"label_de": label_de, "variables": variables, "timing": timing,
                         "schedule_offset_hours": offset, "priority": priority},
        })
    op.bulk_insert(mappings, rows)


def downgrade():
    op.execute(mappings.delete().where(mappings.c.event_type.in_([event[0] for event in EVENTS])))

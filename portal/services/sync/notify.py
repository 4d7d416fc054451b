"""The notifications a sync causes (DESIGN §11), written in the sync's own transaction: a new
upcoming appointment is confirmed and its reminders planned, a status the booking system changed
(no show, completed, cancelled) is told and the reminders dropped, a new time is confirmed with
the old one and the reminders moved, a new staff member or service is an `appointment_modified`."""
from datetime import datetime

from portal.models import Appointment
from portal.services.delivery import events
from portal.services.delivery.outbox import Outbox
from portal.services.sync.references import Pending


def appointment_synced(pending: Pending, now: datetime, outbox: Outbox, drafts: list[dict]) -> None:
    """Add the notifications of one synced appointment; a new one's go to `drafts` (one bulk
    INSERT for the whole batch, reminders.insert_drafts), the rarer changes to the session."""
    appointment: Appointment = pending.row
    if pending.created:
        if appointment.status == "scheduled" and appointment.starts_at > now:
            events.appointment_created(appointment, now, outbox=outbox, drafts=drafts)
        return
    if not pending.changed:
        return
    if pending.status_before is not None and appointment.status != pending.status_before:
        events.appointment_status_changed(appointment, pending.status_before, now, outbox=outbox)
        return
    if appointment.status != "scheduled":
        return
    if pending.starts_before is not None and appointment.starts_at != pending.starts_before:
        events.appointment_moved(appointment, pending.starts_before, now, outbox=outbox)
    details = [name for name in pending.relinked if name in ("service", "staff")]
    if details:
        events.appointment_details_changed(appointment, ", ".join(details), now, outbox=outbox)

"""The notifications of the portal's own use cases, called inside their transactions.

Each function adds deliveries to the caller's session; the caller's commit writes the change and
its notifications together (and its rollback drops both).
"""
from datetime import datetime
from decimal import Decimal

from portal.domain.decisions import CANCEL
from portal.extensions import db
from portal.models import Appointment, AppointmentModification, CallbackRequest
from portal.services.delivery.outbox import Outbox
from portal.services.delivery.reminders import drop_reminders, move_reminders, plan_for


def appointment_changed(action: str, appointments: list[Appointment], records: list[AppointmentModification],
                        reason: str, now: datetime) -> None:
    """A cancel (of one appointment or a series) or a reschedule was written: tell the customer once,
    with the fee charged, and drop or move the reminders."""
    if not appointments:
        return
    for appointment in appointments:
        db.session.refresh(appointment)  # the conditional UPDATE bypassed the object
    first = appointments[0]
    outbox = Outbox(first.company_id)
    fee = sum((Decimal(record.fee_charged or 0) for record in records), Decimal(0))
    values: dict = {"fee": fee if fee > 0 else "", "reason": reason}
    if action == CANCEL:
        outbox.emit("cancellation", appointment=first, values=values, now=now)
        for appointment in appointments:
            drop_reminders(appointment, now)
        return
    original = records[0].meta.get("original_time") if records else None
    values["original_time"] = datetime.fromisoformat(original) if original else ""
    outbox.emit("reschedule_confirmed", appointment=first, values=values, now=now)
    for appointment in appointments:
        move_reminders(appointment, now)


def appointment_created(appointment: Appointment, now: datetime, pending: bool = False,
                        outbox: Outbox | None = None, drafts: list[dict] | None = None) -> None:
    """An appointment arrived from the booking system: confirm (or say it is pending) and plan
    its reminders (a new appointment has none yet). A sync of many passes one `outbox`, so each
    node's configuration is resolved once for the whole batch, and `drafts`, which collects the
    deliveries as column values for one bulk INSERT (reminders.insert_drafts)."""
    outbox = outbox or Outbox(appointment.company_id)
    event_type = "booking_pending" if pending else "booking_confirmed"
    if drafts is None:
        outbox.emit(event_type, appointment=appointment, now=now)
    else:
        drafted = outbox.draft(event_type, appointment=appointment, now=now)
        drafts.extend([drafted] if drafted is not None else [])
    plan_for(outbox, appointment, now, existing=set(), drafts=drafts)


def callback_received(callback: CallbackRequest, now: datetime) -> None:
    Outbox(callback.company_id).emit("callback_request_received", callback=callback, now=now)


def callback_scheduled(callback: CallbackRequest, callback_time: datetime, agent_name: str,
                       now: datetime) -> None:
    Outbox(callback.company_id).emit("callback_scheduled", callback=callback, now=now,
                                     values={"callback_time": callback_time, "agent_name": agent_name})


# --- for the booking system's sync and payments (issue 12): one call each, in the caller's transaction


def appointment_status_changed(appointment: Appointment, old_status: str, now: datetime,
                               values: dict | None = None, outbox: Outbox | None = None) -> None:
    """A synced status change: no_show, appointment_completed, or a cancellation (reminders dropped)."""
    if appointment.status == old_status:
        return
    outbox = outbox or Outbox(appointment.company_id)
    event = {"no_show": "no_show", "completed": "appointment_completed", "cancelled": "cancellation"}.get(
        appointment.status)
    if event is not None:
        outbox.emit(event, appointment=appointment, now=now, values=values)
    if appointment.status != "scheduled":
        drop_reminders(appointment, now, f"the appointment is {appointment.status.replace('_', ' ')}")


def appointment_moved(appointment: Appointment, original_start: datetime, now: datetime,
                      outbox: Outbox | None = None) -> None:
    """A synced new time: confirm it with the old one, and move the reminders."""
    if appointment.starts_at == original_start:
        return
    (outbox or Outbox(appointment.company_id)).emit("reschedule_confirmed", appointment=appointment, now=now,
                                        values={"original_time": original_start})
    move_reminders(appointment, now)


def appointment_details_changed(appointment: Appointment, changes: str, now: datetime,
                                outbox: Outbox | None = None) -> None:
    """Staff, service or notes changed ("staff: Ben → Clara"): `appointment_modified`."""
    (outbox or Outbox(appointment.company_id)).emit("appointment_modified", appointment=appointment, now=now,
                                        values={"changes": changes})


def payment_received(customer, amount: Decimal, payment_method: str, now: datetime,
                     appointment: Appointment | None = None) -> None:
    Outbox(customer.company_id).emit("payment_received", customer=customer, appointment=appointment, now=now,
                                     values={"amount": Decimal(amount), "payment_method": payment_method})

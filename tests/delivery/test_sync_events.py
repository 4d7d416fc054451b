"""The calls the booking system's sync and the payments API make (issue 12 wires them in)."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, Customer, Delivery, utcnow
from portal.services.delivery import events
from portal.services.delivery.dispatch import dispatch_due


def events_of(app, appointment_id=None):
    with app.app_context():
        stmt = select(Delivery.event_type, Delivery.status, Delivery.values).order_by(Delivery.id)
        if appointment_id is not None:
            stmt = stmt.where(Delivery.appointment_id == appointment_id)
        return [tuple(row) for row in db.session.execute(stmt)]


def test_a_synced_booking_is_confirmed_and_its_reminders_planned(app, bookings, eva):
    appointment = bookings.appointment(eva, hours_ahead=240)
    with app.app_context():
        events.appointment_created(db.session.get(Appointment, appointment.id), utcnow().replace(microsecond=0))
        db.session.commit()
    assert [e[0] for e in events_of(app, appointment.id)] == [
        "booking_confirmed", "reminder_1week", "reminder_24h", "reminder_2h"]


def test_a_synced_no_show_and_completion_notify_and_drop_reminders(app, bookings, eva):
    appointment = bookings.appointment(eva, hours_ahead=240)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        record = db.session.get(Appointment, appointment.id)
        events.appointment_created(record, now)
        record.status = "no_show"
        events.appointment_status_changed(record, "scheduled", now, {"fee": Decimal("20.00")})
        db.session.commit()
    found = events_of(app, appointment.id)
    assert found[-1][:2] == ("no_show", "pending")
    assert "20,00" in found[-1][2]["fee"]  # German money
    assert {status for event, status, _ in found if event.startswith("reminder")} == {"cancelled"}


def test_a_synced_move_confirms_and_moves_the_reminders(app, bookings, eva):
    appointment = bookings.appointment(eva, hours_ahead=240)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        record = db.session.get(Appointment, appointment.id)
        events.appointment_created(record, now)
        original = record.starts_at
        record.starts_at += timedelta(days=1)
        record.ends_at += timedelta(days=1)
        events.appointment_moved(record, original, now)
        events.appointment_details_changed(record, "staff: Ann → Bob", now)
        db.session.commit()
        fire = db.session.scalar(select(Delivery.fire_at).where(Delivery.event_type == "reminder_24h"))
    assert fire == appointment.starts_at + timedelta(days=1) - timedelta(hours=24)
    assert [e[0] for e in events_of(app, appointment.id)][-2:] == ["reschedule_confirmed", "appointment_modified"]


def test_a_payment_sends_a_receipt(app, bookings, eva, smtp):
    with app.app_context():
        events.payment_received(db.session.get(Customer, eva.id), Decimal("35.00"), "card",
                                utcnow().replace(microsecond=0))
        db.session.commit()
        dispatch_due(utcnow())
    [mail] = smtp.to("eva@example.test")
    assert mail["Subject"] == "Zahlung erhalten"
    assert "35,00" in mail.get_body(("plain",)).get_content()

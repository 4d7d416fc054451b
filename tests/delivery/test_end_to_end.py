"""Notifications really go out: the services emit, the dispatcher sends to a real SMTP server and a
webhook provider in the test process, on a fake clock (every step takes `now`)."""
import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Company, Delivery, DeliveryAttempt
from portal.services.delivery.dispatch import dispatch_due
from portal.services.delivery.reminders import plan_reminders
from tests.delivery.conftest import consents
from tests.delivery.support import change_appointment, set_cell


def attempts_of(app, event_type: str) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(DeliveryAttempt.channel, DeliveryAttempt.kind, DeliveryAttempt.number, DeliveryAttempt.due_at,
                   DeliveryAttempt.status)
            .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id).where(Delivery.event_type == event_type)
            .order_by(DeliveryAttempt.id)).all()
        return [tuple(row) for row in rows]


def dispatch(app, now) -> int:
    with app.app_context():
        return dispatch_due(now)


def cancel(app, world, appointment, now, reason="Krank"):
    with app.app_context():
        change_appointment(world.admin.id, appointment.id, "cancel", now, reason=reason)


def test_cancellation_sends_the_customers_german_email_with_the_standard_template(app, world, bookings, eva, smtp, t0):
    appointment = bookings.appointment(eva, hours_ahead=72)
    cancel(app, world, appointment, t0)
    assert smtp.messages == []  # written to the outbox, sent by the dispatcher
    assert dispatch(app, t0) == 2  # email and the dev SMS
    [mail] = smtp.to("eva@example.test")
    assert mail["Subject"] == "Ihr Termin wurde storniert"
    assert mail["From"] == "Salon North <hello@salon.test>"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Hallo Eva Schulz" in text
    assert "Cut" in text
    assert "Ann" in text
    assert "Grund: Krank" in text
    assert "Ihr Team von North" in text
    assert "<p>Hallo Eva Schulz,</p>" in html
    assert "List-Unsubscribe" not in mail  # a cancellation is not something to unsubscribe from
    assert [a[-1] for a in attempts_of(app, "cancellation")] == ["sent", "sent"]


def test_a_temporary_sms_failure_is_retried_at_the_planned_times_then_the_fallback_email(
        app, world, bookings, eva, smtp, provider, t0, soon):
    company = world.company.id
    set_cell(app, company, "cancellation", "sms", retry_count=2, retry_delay_minutes=5, fallback_channel="email")
    set_cell(app, company, "cancellation", "email", is_enabled=False)
    provider.answers = [(503, {"message": "busy"}), (200, {"status": "temporary", "message": "queue full"}),
                        (500, {})]
    cancel(app, world, bookings.appointment(eva), t0)

    assert dispatch(app, t0) == 1
    assert dispatch(app, soon(minutes=4)) == 0  # the first retry waits 5 minutes
    assert dispatch(app, soon(minutes=5)) == 1
    assert dispatch(app, soon(minutes=14)) == 0  # the second waits 5 × 2 = 10 more
    assert smtp.messages == []
    assert dispatch(app, soon(minutes=15)) == 2  # the last retry fails: the fallback goes at once
    assert attempts_of(app, "cancellation") == [
        ("sms", "first", 1, t0, "failed"), ("sms", "retry", 2, soon(minutes=5), "failed"),
        ("sms", "retry", 3, soon(minutes=15), "failed"), ("email", "fallback", 1, soon(minutes=15), "sent")]
    assert len(smtp.to("eva@example.test")) == 1
    assert len(provider.received) == 3
    post = provider.received[0]
    expected = "sha256=" + hmac.new(b"test-secret", post.body, hashlib.sha256).hexdigest()
    assert post.headers["X-Portal-Signature"] == expected
    assert post.json["to"]["phone"] == eva.phone
    assert post.json["event"] == "cancellation"
    assert post.json["text"].startswith("Storniert:")
    with app.app_context():
        assert db.session.scalar(select(Delivery.status)) == "sent"


def test_a_permanent_failure_goes_to_the_fallback_at_once(app, world, bookings, eva, smtp, provider, t0):
    set_cell(app, world.company.id, "cancellation", "sms", retry_count=3, fallback_channel="email")
    set_cell(app, world.company.id, "cancellation", "email", is_enabled=False)
    provider.answers = [(200, {"status": "permanent", "message": "invalid number"})]
    cancel(app, world, bookings.appointment(eva), t0)
    assert dispatch(app, t0) == 2
    assert [(a[0], a[1], a[-1]) for a in attempts_of(app, "cancellation")] == [
        ("sms", "first", "failed"), ("email", "fallback", "sent")]


def test_a_locked_channel_disabled_below_is_still_sent(app, world, bookings, eva, provider, t0):
    set_cell(app, world.company.id, "cancellation", "sms", is_enabled=True, locked=True)
    set_cell(app, world.company.id, "cancellation", "sms", level="branch", entity_id=world.north.id,
             is_enabled=False)
    cancel(app, world, bookings.appointment(eva), t0)
    dispatch(app, t0)
    assert [post.json["channel"] for post in provider.received] == ["sms"]


def test_a_disabled_channel_is_not_sent(app, world, bookings, eva, provider, t0):
    set_cell(app, world.company.id, "cancellation", "sms", level="branch", entity_id=world.north.id,
             is_enabled=False)
    cancel(app, world, bookings.appointment(eva), t0)
    dispatch(app, t0)
    assert provider.received == []


def test_a_customer_without_sms_consent_gets_the_fallback(app, world, bookings, eva, smtp, provider, t0):
    set_cell(app, world.company.id, "cancellation", "sms", fallback_channel="email")
    set_cell(app, world.company.id, "cancellation", "email", is_enabled=False)
    consents(app, eva.id, email=True, sms=False)
    cancel(app, world, bookings.appointment(eva), t0)
    dispatch(app, t0)
    assert provider.received == []
    assert len(smtp.to("eva@example.test")) == 1
    assert [(a[0], a[1], a[-1]) for a in attempts_of(app, "cancellation")] == [
        ("sms", "first", "skipped"), ("email", "fallback", "sent")]


def test_the_customers_language_picks_the_template_else_the_companys(app, world, bookings, smtp, t0):
    with app.app_context():
        db.session.get(Company, world.company.id).default_language = "de"
        db.session.commit()
    english = bookings.customer(email="en@example.test", language="en", consents={"email": True})
    unset = bookings.customer(email="none@example.test", consents={"email": True})
    cancel(app, world, bookings.appointment(english), t0)
    cancel(app, world, bookings.appointment(unset), t0)
    dispatch(app, t0)
    assert smtp.to("en@example.test")[0]["Subject"] == "Your appointment was cancelled"
    assert smtp.to("none@example.test")[0]["Subject"] == "Ihr Termin wurde storniert"  # the company's: de


def test_a_missing_template_fails_the_delivery_with_a_clear_message(app, world, bookings, eva, smtp, t0):
    set_cell(app, world.company.id, "cancellation", "email", template_override="no/such-template")
    set_cell(app, world.company.id, "cancellation", "sms", is_enabled=False)
    cancel(app, world, bookings.appointment(eva), t0)
    dispatch(app, t0)
    assert smtp.messages == []
    with app.app_context():
        attempt = db.session.scalar(select(DeliveryAttempt))
        assert attempt.status == "failed"
        assert "no/such-template.de" in attempt.answer
        assert "does not exist" in attempt.answer
        assert attempt.delivery.status == "failed"


def reminder(app, appointment_id, event_type="reminder_24h"):
    with app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.appointment_id == appointment_id,
                                                            Delivery.event_type == event_type))
        return (delivery.fire_at, delivery.status,
                sorted({(a.due_at, a.status) for a in delivery.attempts if a.status != "skipped"})) \
            if delivery else None


def test_a_reminder_moves_with_the_appointment_and_disappears_when_it_is_cancelled(
        app, world, bookings, eva, smtp, t0):
    appointment = bookings.appointment(eva, hours_ahead=240)
    with app.app_context():
        assert plan_reminders(world.company.id, t0) == 3  # one week, 24 h and 2 h before
        assert plan_reminders(world.company.id, t0) == 0  # planning again plans nothing twice
    fire_at = appointment.starts_at - timedelta(hours=24)
    assert reminder(app, appointment.id) == (fire_at, "pending", [(fire_at, "due")])

    later = appointment.starts_at + timedelta(days=2)
    with app.app_context():
        change_appointment(world.admin.id, appointment.id, "reschedule", t0, new_starts_at=later)
    moved = later - timedelta(hours=24)
    assert reminder(app, appointment.id) == (moved, "pending", [(moved, "due")])

    cancel(app, world, appointment, t0)
    for event_type in ("reminder_1week", "reminder_24h", "reminder_2h"):
        assert reminder(app, appointment.id, event_type)[1] == "cancelled"
    dispatch(app, later)
    assert not [m for m in smtp.messages if m["Subject"].startswith("Erinnerung")]


def test_a_reminder_goes_out_at_its_time_with_an_unsubscribe_link(app, client, world, bookings, eva, smtp, t0):
    appointment = bookings.appointment(eva, hours_ahead=30)
    with app.app_context():
        plan_reminders(world.company.id, t0)
    fire_at = appointment.starts_at - timedelta(hours=24)
    assert dispatch(app, fire_at - timedelta(minutes=1)) == 0
    assert dispatch(app, fire_at) == 2  # email, and SMS to the development provider
    [mail] = smtp.to("eva@example.test")
    assert mail["Subject"] == "Erinnerung: Ihr Termin morgen"
    link = mail["List-Unsubscribe"].strip("<>")
    assert link in mail.get_body(("plain",)).get_content()
    path = "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200
    token = client.csrf_token(path)
    assert client.post(path, data={"csrf_token": token}).status_code in (200, 303)
    with app.app_context():
        from portal.models import Customer

        assert db.session.get(Customer, eva.id).consents["email"] is False

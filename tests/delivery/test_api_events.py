"""Through the integration API, as the booking system and the voice agent call it: a synced
booking is confirmed, and a cancellation by the API reaches the customer as a German email."""
from sqlalchemy import select

from portal.extensions import db
from portal.models import Delivery, utcnow
from portal.services.delivery.dispatch import dispatch_due
from tests.api.support import call, token_for

STARTS = "2030-03-04T10:00:00+01:00"


def sync_booking(client, token) -> None:
    records = [
        {"type": "branch", "external_id": "b1", "data": {"name": "Altstadt"}},
        {"type": "service", "external_id": "s1", "data": {"name": "Färben", "price": "80.00", "branches": ["b1"]}},
        {"type": "customer", "external_id": "c1",
         "data": {"name": "Eva Schulz", "phone": "0151 23456789", "email": "eva.api@example.test",
                  "language": "de", "consents": {"email": True}}},
        {"type": "appointment", "external_id": "a1",
         "data": {"branch": "b1", "service": "s1", "customer": "c1", "starts_at": STARTS,
                  "ends_at": STARTS.replace("T10", "T11"), "price": "80.00"}},
    ]
    response = call(client, "POST", "/api/v1/sync/batch", token, {"records": records})
    assert response.status_code == 200, response.get_json()


def test_an_api_cancellation_sends_the_customers_german_email(app, client, world, bookings, smtp):
    token = token_for(app, world, "sync:write decisions:write", name="booking-system")
    sync_booking(client, token)
    with app.app_context():
        assert dispatch_due(utcnow()) >= 1
    [confirmation] = smtp.to("eva.api@example.test")
    assert "Färben" in confirmation.get_body(("plain",)).get_content()

    response = call(client, "POST", "/api/v1/appointments/a1/modifications", token,
                    {"action": "cancel", "reason": "Krank"})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        assert db.session.scalar(select(Delivery.status).where(Delivery.event_type == "cancellation")) == "pending"
        dispatch_due(utcnow())
    cancellation = smtp.to("eva.api@example.test")[-1]
    assert cancellation["Subject"] == "Ihr Termin wurde storniert"
    assert cancellation["From"] == "Salon North <hello@salon.test>"
    text = cancellation.get_body(("plain",)).get_content()
    assert "Hallo Eva Schulz" in text
    assert "Färben" in text
    assert "Grund: Krank" in text

"""The service layer writes notifications in the same transaction as the change that causes them."""
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import CallbackRequest, Delivery, utcnow
from portal.services.delivery.dispatch import dispatch_due
from tests.callbacks.support import add_callback
from tests.delivery.support import change_appointment


def deliveries(app, **where):
    with app.app_context():
        stmt = select(Delivery).where(*(getattr(Delivery, key) == value for key, value in where.items()))
        return [(d.event_type, d.status, dict(d.values)) for d in db.session.scalars(stmt.order_by(Delivery.id))]


def test_callback_intake_tells_the_requester_it_was_received(app, client, world):
    client.login(world.agent.email)
    response = client.submit("/callbacks/new", {
        "customer_name": "Jonas Weber", "phone_number": "0151 23456789", "branch_id": world.north.id,
        "customer_email": "jonas@example.test", "priority": "normal", "notes": ""})
    assert response.status_code == 302
    with app.app_context():
        callback_id = db.session.scalar(select(CallbackRequest.id))
    [(event, status, values)] = deliveries(app, callback_id=callback_id)
    assert (event, status) == ("callback_request_received", "pending")
    assert values["phone_number"] == "+4915123456789"
    assert values["branch_name"] == "North"
    with app.app_context():
        assert dispatch_due(utcnow()) == 2  # email and SMS (the requester gave both for this request)


def test_a_merged_intake_sends_nothing_new(app, client, world):
    client.login(world.agent.email)
    data = {"customer_name": "Jonas Weber", "phone_number": "0151 23456789", "branch_id": world.north.id,
            "priority": "normal", "notes": ""}
    client.submit("/callbacks/new", data)
    client.submit("/callbacks/new", {**data, "notes": "again"})
    assert len(deliveries(app, event_type="callback_request_received")) == 1


def test_completing_with_an_agreed_time_tells_the_customer_when_they_will_be_called(app, client, world):
    callback = add_callback(app, world, status="contacted", assignee=world.bob)
    client.login(world.agent.email)
    agreed = (utcnow() + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    response = client.submit(f"/callbacks/{callback.id}/complete", {
        "version": callback.version, "note": "", "callback_time": agreed.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    [(event, _, values)] = deliveries(app, callback_id=callback.id)
    assert event == "callback_scheduled"
    assert "9:30" in values["callback_time"]  # in the customer's language: 09:30 (de) or 9:30 AM (en)
    assert values["agent_name"] == "Bob"


def test_completing_without_an_agreed_time_sends_nothing(app, client, world):
    callback = add_callback(app, world, status="contacted", assignee=world.bob)
    client.login(world.agent.email)
    client.submit(f"/callbacks/{callback.id}/complete", {"version": callback.version, "note": "done"})
    assert deliveries(app, callback_id=callback.id) == []


def test_an_agreed_time_in_the_past_is_refused_and_nothing_changes(app, client, world):
    callback = add_callback(app, world, status="contacted", assignee=world.bob)
    client.login(world.agent.email)
    response = client.submit(f"/callbacks/{callback.id}/complete", {
        "version": callback.version, "callback_time": "2020-01-01T10:00"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(CallbackRequest, callback.id).status == "contacted"
    assert deliveries(app, callback_id=callback.id) == []


def test_a_reschedule_confirms_the_new_time_with_the_old_one(app, world, bookings, eva):
    appointment = bookings.appointment(eva, hours_ahead=72)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        change_appointment(world.admin.id, appointment.id, "reschedule", now,
                           new_starts_at=appointment.starts_at + timedelta(days=1))
    [(_event, _, values)] = [d for d in deliveries(app, appointment_id=appointment.id)
                            if d[0] == "reschedule_confirmed"]
    assert values["original_time"]
    assert values["original_time"] != values["starts_at"]


def test_a_change_that_is_rolled_back_leaves_no_notification(app, world, bookings, eva, monkeypatch):
    """The outbox shares the change's transaction: when the write fails, neither is stored."""
    import pytest

    from portal.services.modifications import change

    appointment = bookings.appointment(eva, hours_ahead=72)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(change, "_record", broken)
    with app.app_context(), pytest.raises(RuntimeError):
        change_appointment(world.admin.id, appointment.id, "cancel", utcnow().replace(microsecond=0))
    assert deliveries(app) == []

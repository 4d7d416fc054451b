"""Sync by external id: each type stored as sent, sending it again changes nothing, the
appointment upsert reports creation and status changes (what booking events hang on)."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Appointment, AuditEvent, Customer, Service, Staff
from portal.services.sync.batch import SyncRecord, apply_records
from tests.api.support import call, token_for

RECORDS = [
    ("branches", "b", {"name": "Sync branch", "city": "Kiel"}),
    ("services", "s", {"name": "Sync service", "price": "25.50", "duration_minutes": 30, "branches": ["b"]}),
    ("staff", "st", {"name": "Sync staff", "branch": "b", "services": ["s"], "email": "sync@example.com"}),
    (
        "customers",
        "c",
        {
            "name": "Sync customer",
            "phone": "030 1234567",
            "email": "c@example.com",
            "language": "en",
            "consents": {"sms": True, "whatsapp": False},
        },
    ),
    (
        "appointments",
        "a",
        {
            "branch": "b",
            "service": "s",
            "staff": "st",
            "customer": "c",
            "starts_at": "2030-01-01T10:00:00+01:00",
            "ends_at": "2030-01-01T10:30:00+01:00",
            "price": "25.50",
            "recurring_series_id": "series-1",
        },
    ),
]


def test_each_type_is_stored_as_sent_and_sending_it_again_changes_nothing(app, client, world):
    token = token_for(app, world, "sync:write")
    for kind, external_id, body in RECORDS:
        first = call(client, "PUT", f"/api/v1/sync/{kind}/{external_id}", token, body)
        assert (first.status_code, first.get_json()["outcome"]) == (201, "created"), first.get_json()
        again = call(client, "PUT", f"/api/v1/sync/{kind}/{external_id}", token, body)
        assert (again.status_code, again.get_json()["outcome"]) == (200, "unchanged")
        assert again.get_json()["id"] == first.get_json()["id"]
    with app.app_context():
        scope = {"company_id": world.company.id}
        customer = db.session.scalar(select(Customer).filter_by(external_id="c", **scope))
        assert (customer.phone, customer.language, customer.consents) == (
            "+49301234567",
            "en",
            {"sms": True, "whatsapp": False},
        )
        service = db.session.scalar(select(Service).filter_by(external_id="s", **scope))
        assert [branch.external_id for branch in service.branches] == ["b"]
        staff = db.session.scalar(select(Staff).filter_by(external_id="st", **scope))
        assert (staff.branch.external_id, [s.external_id for s in staff.services]) == ("b", ["s"])
        appointment = db.session.scalar(select(Appointment).filter_by(external_id="a", **scope))
        assert appointment.starts_at == datetime(2030, 1, 1, 9, 0)  # stored as UTC
        assert (appointment.recurring_series_id, appointment.status) == ("series-1", "scheduled")
    moved = dict(RECORDS[-1][2], starts_at="2030-01-02T10:00:00+01:00", ends_at="2030-01-02T10:30:00+01:00")
    assert call(client, "PUT", "/api/v1/sync/appointments/a", token, moved).get_json()["outcome"] == "updated"


def test_the_appointment_upsert_reports_creation_and_status_changes(app, client, world):
    token = token_for(app, world, "sync:write")
    for kind, external_id, body in RECORDS[:4]:
        call(client, "PUT", f"/api/v1/sync/{kind}/{external_id}", token, body)
    data = {
        **RECORDS[-1][2],
        "price": Decimal("25.50"),
        "starts_at": datetime(2030, 1, 1, 9, tzinfo=UTC),
        "ends_at": datetime(2030, 1, 1, 10, tzinfo=UTC),
    }
    with app.app_context():
        created = apply_records(world.company.id, [SyncRecord("appointment", "e1", data)])[0].upserted
        assert (created.created, created.status_changed, created.status_after) == (True, True, "scheduled")
        same = apply_records(world.company.id, [SyncRecord("appointment", "e1", data)])[0].upserted
        assert (same.created, same.changed, same.status_changed) == (False, False, False)
        no_show = apply_records(
            world.company.id, [SyncRecord("appointment", "e1", {**data, "status": "no_show"})]
        )
        upserted = no_show[0].upserted
        assert (upserted.status_before, upserted.status_after, upserted.status_changed) == (
            "scheduled",
            "no_show",
            True,
        )


def test_unknown_references_are_named_and_nothing_is_stored(app, client, world):
    token = token_for(app, world, "sync:write")
    refused = call(
        client,
        "PUT",
        "/api/v1/sync/appointments/x",
        token,
        {
            "branch": "nope",
            "service": "nada",
            "customer": "nobody",
            "starts_at": "2030-01-01T10:00:00+01:00",
            "ends_at": "2030-01-01T09:00:00+01:00",
        },
    )
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["type"].endswith("#problem-unknown-reference")
    assert set(problem["fields"]) == {"branch", "service", "customer", "ends_at"}
    assert "“nope”" in problem["fields"]["branch"]
    naive = call(
        client,
        "PUT",
        "/api/v1/sync/appointments/x",
        token,
        {
            "branch": "b",
            "service": "s",
            "customer": "c",
            "starts_at": "2030-01-01T10:00:00",
            "ends_at": "2030-01-01T11:00:00",
        },
    )
    assert naive.status_code == 422  # a time without an offset is refused, never guessed
    assert "starts_at" in naive.get_json()["fields"]
    with app.app_context():
        assert db.session.scalar(select(Appointment).filter_by(external_id="x")) is None


def test_synced_branches_services_and_staff_are_audited_under_the_token(app, client, world):
    token = token_for(app, world, "sync:write", name="auditing")
    for kind, external_id, body in RECORDS[:3]:
        call(client, "PUT", f"/api/v1/sync/{kind}/{external_id}", token, body)
    call(client, "PUT", "/api/v1/sync/branches/b", token, {"name": "Renamed branch"})
    call(client, "PUT", "/api/v1/sync/branches/b", token, {"name": "Renamed branch"})  # unchanged: no event
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.company_id == world.company.id).order_by(AuditEvent.id)
        ).all()
        assert [(e.entity_type, e.action) for e in events] == [
            ("branch", "create"),
            ("service", "create"),
            ("staff", "create"),
            ("branch", "update"),
        ]
        assert events[-1].before == {"name": "Sync branch"}
        assert events[-1].after == {"name": "Renamed branch"}
        assert {e.actor_label for e in events} == {f"API token “Token {world.company.id}”"}


def deliveries_of(app, external_id: str) -> list[tuple[str, str]]:
    from portal.models import Delivery

    with app.app_context():
        appointment_id = db.session.scalar(select(Appointment.id).where(Appointment.external_id == external_id))
        rows = db.session.execute(
            select(Delivery.event_type, Delivery.status)
            .where(Delivery.appointment_id == appointment_id)
            .order_by(Delivery.id)
        )
        return [tuple(row) for row in rows]


def test_synced_appointments_write_their_booking_notifications_in_the_same_transaction(app, client, world):
    token = token_for(app, world, "sync:write")
    for kind, external_id, body in RECORDS[:4]:
        call(client, "PUT", f"/api/v1/sync/{kind}/{external_id}", token, body)
    booking = RECORDS[-1][2]
    assert call(client, "PUT", "/api/v1/sync/appointments/a", token, booking).status_code == 201
    first = [event for event, _ in deliveries_of(app, "a")]
    assert first[0] == "booking_confirmed"
    assert first[1:], "the reminders the company's configuration enables"
    assert set(first[1:]) <= {"reminder_1week", "reminder_24h", "reminder_2h"}

    call(client, "PUT", "/api/v1/sync/appointments/a", token, booking)  # sent again: nothing new
    assert len(deliveries_of(app, "a")) == len(first)

    moved = {**booking, "starts_at": "2030-01-02T10:00:00+01:00", "ends_at": "2030-01-02T10:30:00+01:00"}
    assert call(client, "PUT", "/api/v1/sync/appointments/a", token, moved).status_code == 200
    assert deliveries_of(app, "a")[-1][0] == "reschedule_confirmed"

    assert call(client, "PUT", "/api/v1/sync/appointments/a", token, {**moved, "status": "no_show"}).status_code == 200
    found = deliveries_of(app, "a")
    assert found[-1][0] == "no_show"
    assert {status for event, status in found if event.startswith("reminder")} == {"cancelled"}


def test_a_refused_batch_writes_no_notifications(app, client, world):
    from portal.models import Delivery

    token = token_for(app, world, "sync:write")
    for kind, external_id, body in RECORDS[:4]:
        call(client, "PUT", f"/api/v1/sync/{kind}/{external_id}", token, body)
    good = {"type": "appointment", "external_id": "ok", "data": RECORDS[-1][2]}
    bad = {"type": "appointment", "external_id": "bad", "data": {**RECORDS[-1][2], "customer": "nobody"}}
    response = call(client, "POST", "/api/v1/sync/batch", token, {"records": [good, bad]})
    assert response.status_code == 422, response.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0

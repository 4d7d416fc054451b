"""Modifications through the API: recomputed at that moment, Idempotency-Key replays, forcing
needs decisions:force and a reason; batch sync is all or nothing unless best effort."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AppointmentModification, Branch, PolicyConfiguration
from tests.api.support import call, token_for

SOON = "2030-01-01T10:00:00+01:00"


def sync_world(client, token, starts_at=SOON):
    records = [
        {"type": "branch", "external_id": "b1", "data": {"name": "Synced branch"}},
        {
            "type": "service",
            "external_id": "s1",
            "data": {"name": "Synced service", "price": "40.00", "branches": ["b1"]},
        },
        {"type": "customer", "external_id": "c1", "data": {"name": "Eva", "phone": "0151 23456789"}},
        {
            "type": "appointment",
            "external_id": "a1",
            "data": {
                "branch": "b1",
                "service": "s1",
                "customer": "c1",
                "starts_at": starts_at,
                "ends_at": starts_at.replace("T10", "T11"),
                "price": "40.00",
            },
        },
    ]
    response = call(client, "POST", "/api/v1/sync/batch", token, {"records": records})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def modifications(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AppointmentModification.id)))


def test_a_retry_with_the_same_idempotency_key_records_once_and_gets_the_same_answer(app, client, world):
    token = token_for(app, world)
    sync_world(client, token)
    body, key = {"action": "cancel"}, {"Idempotency-Key": "retry-1"}
    first = call(client, "POST", "/api/v1/appointments/a1/modifications", token, body, key)
    again = call(client, "POST", "/api/v1/appointments/a1/modifications", token, body, key)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert modifications(app) == 1
    other = call(
        client,
        "POST",
        "/api/v1/appointments/a1/modifications",
        token,
        {"action": "reschedule", "new_starts_at": "2030-02-01T10:00:00+01:00"},
        key,
    )
    assert other.status_code == 422
    assert other.get_json()["type"].endswith("idempotency-mismatch")
    assert modifications(app) == 1


def deny_cancellations(app, world):
    with app.app_context():
        db.session.add(
            PolicyConfiguration(
                company_id=world.company.id,
                configurable_type="company",
                configurable_id=world.company.id,
                policy_type="cancellation",
                config={"hours_before": 24 * 365 * 10},
            )
        )
        db.session.commit()


def test_a_denied_modification_is_refused_and_forcing_needs_the_scope_and_a_reason(app, client, world):
    deny_cancellations(app, world)
    plain = token_for(app, world, "sync:write decisions:write", name="plain")
    forcing = token_for(app, world, "decisions:write decisions:force", name="forcing")
    sync_world(client, plain)
    decision = call(
        client, "POST", "/api/v1/appointments/a1/decisions", plain, {"action": "cancel"}
    ).get_json()
    assert decision["allowed"] is False
    assert decision["reasons"]
    denied = call(client, "POST", "/api/v1/appointments/a1/modifications", plain, {"action": "cancel"})
    assert denied.status_code == 422
    assert denied.get_json()["decision"]["allowed"] is False
    forced = call(
        client,
        "POST",
        "/api/v1/appointments/a1/modifications",
        plain,
        {"action": "cancel", "force": True, "reason": "Customer is ill"},
    )
    assert forced.status_code == 403
    assert forced.get_json()["missing_scope"] == "decisions:force"
    no_reason = call(
        client, "POST", "/api/v1/appointments/a1/modifications", forcing, {"action": "cancel", "force": True}
    )
    assert no_reason.status_code == 422
    assert "reason" in no_reason.get_json()["fields"]
    assert modifications(app) == 0
    done = call(
        client,
        "POST",
        "/api/v1/appointments/a1/modifications",
        forcing,
        {"action": "cancel", "force": True, "reason": "Customer is ill"},
    )
    assert done.status_code == 201
    assert done.get_json()["modifications"][0]["within_policy"] is False
    with app.app_context():
        record = db.session.scalar(select(AppointmentModification))
        assert (record.modified_by_type, record.within_policy) == ("api_token", False)


def test_a_batch_with_one_refused_record_applies_nothing_unless_best_effort(app, client, world):
    token = token_for(app, world)
    records = [
        {"type": "branch", "external_id": "ok", "data": {"name": "Fine branch"}},
        {"type": "staff", "external_id": "st", "data": {"name": "Ben", "branch": "nowhere"}},
    ]
    refused = call(client, "POST", "/api/v1/sync/batch", token, {"records": records})
    assert refused.status_code == 422
    assert "nowhere" in refused.get_json()["results"][1]["fields"]["branch"]
    with app.app_context():
        assert db.session.scalar(select(Branch).where(Branch.external_id == "ok")) is None
    partial = call(client, "POST", "/api/v1/sync/batch", token, {"records": records, "best_effort": True})
    assert partial.status_code == 200
    assert [r["outcome"] for r in partial.get_json()["results"]] == ["created", "refused"]
    again = call(client, "POST", "/api/v1/sync/batch", token, {"records": records[:1]})
    assert again.get_json()["results"][0]["outcome"] == "unchanged"  # idempotent


def test_the_rate_limit_is_per_token_429_with_retry_after(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    token = token_for(app, world)
    statuses = [call(client, "GET", "/api/v1/policies/cancellation", token).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_keys_older_than_a_day_are_forgotten_by_the_command_and_the_recent_kept(app, client, world):
    from datetime import timedelta

    from portal.models import ApiIdempotencyKey, utcnow

    token = token_for(app, world)
    sync_world(client, token)
    key = {"Idempotency-Key": "yesterday"}
    assert call(client, "POST", "/api/v1/appointments/a1/decisions", token, {"action": "cancel"}).status_code == 200
    assert call(client, "POST", "/api/v1/appointments/a1/modifications", token, {"action": "cancel"},
                key).status_code == 201
    with app.app_context():
        db.session.add(ApiIdempotencyKey(company_id=world.company.id, token_id=db.session.scalar(
            select(ApiIdempotencyKey.token_id)), key="recent", request_hash="x", status=201, body={},
            created_at=utcnow() - timedelta(hours=23)))
        row = db.session.scalar(select(ApiIdempotencyKey).where(ApiIdempotencyKey.key == "yesterday"))
        row.created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["api", "forget-keys"])
    assert result.exit_code == 0, result.output
    assert "Forgot 1 Idempotency-Key(s)." in result.output
    with app.app_context():
        assert db.session.scalars(select(ApiIdempotencyKey.key)).all() == ["recent"]

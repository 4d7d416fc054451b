"""POST /api/v1/callbacks: token authentication, bad input refused with a message, merging."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ApiToken, AuditEvent, CallbackRequest, utcnow
from tests.callbacks.support import add_callback, add_token, load, set_callback_policy

URL = "/api/v1/callbacks"
TOKEN = "cbt_the-world-token-1234567890"


@pytest.fixture
def token(app, world):
    add_token(app, world, TOKEN)
    return TOKEN


def post(client, body, token=TOKEN, raw=None, headers=None):
    headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    data = raw if raw is not None else json.dumps(body)
    return client.post(URL, data=data, headers=headers, content_type="application/json")


def valid(world, **changes):
    return {"customer_name": "Anna Müller", "phone_number": "030 1234567", "branch_id": world.north.id,
            "priority": "high", "notes": "Wants to move Friday's appointment", **changes}


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CallbackRequest.id)))


def test_a_valid_request_is_stored_with_e164_phone_and_the_policy_deadline(app, client, world, token):
    set_callback_policy(app, world, {"sla_minutes_high": 90})
    before = utcnow()
    response = post(client, valid(world))
    assert response.status_code == 201
    body = response.get_json()
    assert body["merged"] is False
    assert body["priority"] == "high"
    callback = load(app, body["id"])
    assert callback.phone_number == "+49301234567"  # the company's default region is DE
    assert callback.company_id == world.company.id
    assert callback.status == "pending"
    assert timedelta(minutes=89) < callback.expires_at - before < timedelta(minutes=91)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == body["id"]))
        assert event.action == "create"
        assert event.actor_label == f"API token “Token {world.company.id}”"


@pytest.mark.parametrize(("case", "status", "message"), [
    ("no token", 401, "valid API token"),
    ("wrong token", 401, "valid API token"),
    ("revoked token", 401, "valid API token"),
    ("another company's token", 422, "branch_id: Unknown branch"),
    ("missing phone", 422, "phone_number: Enter the phone number"),
    ("invalid phone", 422, "is not a valid phone number"),
    ("letters for a phone", 422, "is not a phone number"),
    ("unknown branch", 422, "branch_id: Unknown branch"),
    ("branch of another company", 422, "branch_id: Unknown branch"),
    ("branch as text", 422, "branch_id: Unknown branch"),
    ("priority outside the list", 422, "Priority must be one of normal, high, urgent"),
    ("oversized notes", 422, "notes: The note is too long: 2001 characters, at most 2000"),
    ("missing name", 422, "customer_name: Enter the customer's name"),
    ("unknown field", 422, "colour: Unknown field"),
    ("service of another company", 422, "service_id: Unknown service"),
    ("malformed JSON", 400, "must be a JSON object"),
    ("a JSON list", 400, "must be a JSON object"),
    ("backwards time window", 422, "must end after it starts"),
    ("oversized body", 413, ""),
])
def test_bad_requests_get_a_4xx_json_message_and_store_nothing(app, client, make, world, token, case, status,
                                                               message):
    other = make.world()
    other_token = "cbt_other-company-token-123456"
    add_token(app, other, other_token)
    add_token(app, world, "cbt_revoked-token-1234567890", revoked=True)
    body, auth, raw = valid(world), token, None
    auth = {"no token": None, "wrong token": "cbt_not-a-token-at-all-1234567",
            "revoked token": "cbt_revoked-token-1234567890",
            # authenticates as the other company, whose branches these are not
            "another company's token": other_token}.get(case, auth)
    changes = {"invalid phone": {"phone_number": "+49 123"},
               "letters for a phone": {"phone_number": "call me maybe"},
               "unknown branch": {"branch_id": 999_999}, "branch of another company": {"branch_id": other.north.id},
               "branch as text": {"branch_id": "north"}, "priority outside the list": {"priority": "critical"},
               "oversized notes": {"notes": "x" * 2001}, "unknown field": {"colour": "blue"},
               "service of another company": {"service_id": other.cut.id},
               "backwards time window": {"preferred_time_window": {"start": "2026-12-01T15:00",
                                                                   "end": "2026-12-01T14:00"}}}
    body.update(changes.get(case, {}))
    for name in {"missing phone": ["phone_number"], "missing name": ["customer_name"]}.get(case, []):
        body.pop(name)
    raw = {"malformed JSON": '{"customer_name": "Anna", ', "a JSON list": "[1, 2]",
           "oversized body": json.dumps({**body, "notes": "x" * 20_000})}.get(case)
    response = post(client, body, auth, raw)
    assert response.status_code == status
    payload = response.get_json()
    assert payload["status"] == status
    assert payload["error"]
    assert message in payload["error"]
    assert stored(app) == 0
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_does_not_authenticate_the_api(app, client, world):
    client.login(world.admin.email)  # signed in, but no token: the API ignores the session
    assert post(client, valid(world), token=None).status_code == 401
    assert stored(app) == 0


def test_a_token_records_when_it_was_last_used(app, client, world, token):
    post(client, valid(world))
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_same_phone_within_30_minutes_merges_and_says_so(app, client, world, token):
    first = post(client, valid(world, priority="high", notes="first call")).get_json()
    second = post(client, valid(world, phone_number="+49 30 1234567", priority="normal", notes="second call"))
    assert second.status_code == 200
    body = second.get_json()
    assert body == {**body, "id": first["id"], "merged": True, "priority": "high"}  # never lowered
    merged = load(app, first["id"])
    assert merged.priority == "high"
    assert merged.priority_rank == 1
    assert merged.notes.startswith("first call\n")
    assert merged.notes.endswith("second call")
    assert stored(app) == 1


def test_a_merge_raises_the_priority_and_never_moves_the_deadline_later(app, client, world, token):
    first = post(client, valid(world, priority="normal")).get_json()
    before = load(app, first["id"])
    body = post(client, valid(world, priority="urgent")).get_json()
    after = load(app, body["id"])
    assert body["merged"]
    assert after.priority == "urgent"
    assert after.expires_at < before.expires_at  # the urgent SLA (60 min) is far shorter than 1440


@pytest.mark.parametrize(("status", "minutes_ago", "merges"), [
    ("pending", 29, True), ("assigned", 10, True),
    ("pending", 31, False),  # outside the 30-minute window
    ("contacted", 5, False), ("completed", 5, False), ("cancelled", 5, False),
])
def test_only_an_open_pending_or_assigned_request_of_the_last_30_minutes_takes_the_merge(
        app, client, world, token, status, minutes_ago, merges):
    existing = add_callback(app, world, status=status, created_minutes_ago=minutes_ago,
                            phone="+49301234567", assignee=world.bob if status != "pending" else None)
    body = post(client, valid(world)).get_json()
    assert body["merged"] is merges
    assert (body["id"] == existing.id) is merges
    assert stored(app) == (1 if merges else 2)


def test_the_same_phone_in_another_company_never_merges(app, client, make, world, token):
    other = make.world()
    add_callback(app, other, branch=other.north, phone="+49301234567")
    body = post(client, valid(world)).get_json()
    assert body["merged"] is False

"""The callback intake API is rate limited per token: 429 with Retry-After, nothing stored."""
import json

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import CallbackRequest
from tests.callbacks.support import add_token


@pytest.fixture
def three_per_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")


def send(client, world, token):
    body = {"customer_name": "Anna Müller", "phone_number": "030 1234567", "branch_id": world.north.id}
    return client.post("/api/v1/callbacks", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CallbackRequest.id)))


def test_a_token_over_its_limit_gets_429_with_retry_after_and_nothing_is_stored(app, client, world,
                                                                               three_per_minute):
    add_token(app, world, "cbt_limited-token-123456")
    assert [send(client, world, "cbt_limited-token-123456").status_code for _ in range(3)] == [201, 200, 200]
    before = stored(app)
    response = send(client, world, "cbt_limited-token-123456")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert "Retry-After" in response.get_json()["error"]
    assert stored(app) == before


def test_each_token_has_its_own_limit(app, client, world, three_per_minute):
    add_token(app, world, "cbt_first-token-1234567")
    add_token(app, world, "cbt_second-token-123456")
    for _ in range(3):
        send(client, world, "cbt_first-token-1234567")
    assert send(client, world, "cbt_first-token-1234567").status_code == 429
    assert send(client, world, "cbt_second-token-123456").status_code == 200  # merged: same phone


def test_the_default_limit_stops_a_flood(app, client, world):
    add_token(app, world, "cbt_flooding-token-12345")
    statuses = [send(client, world, "cbt_flooding-token-12345").status_code for _ in range(70)]
    assert statuses.count(429) == 10
    assert 429 not in statuses[:60]

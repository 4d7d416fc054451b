"""API tokens: admins only, shown once, stored hashed, revocable."""
import hashlib
import json

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ApiToken, AuditEvent
from tests.html import parse


def create(client, name="Voice agent", follow_redirects=True):
    """Create a token the way the page does: the POST redirects, the next GET shows it once."""
    return client.submit("/callbacks/tokens", {"name": name}, follow_redirects=follow_redirects)


def token_in(html: str) -> str | None:
    """The new token the page shows once, if it shows one."""
    shown = parse(html).find("code", data_token=True)
    return shown.text if shown is not None and shown.text.startswith("cbt_") else None


def test_an_admin_creates_a_token_that_is_shown_once_and_stored_only_as_a_hash(app, client, world):
    client.login(world.admin.email)
    posted = create(client, follow_redirects=False)
    assert posted.status_code == 302  # post/redirect/get: a refresh never makes a second token
    assert posted.location == "/callbacks/tokens"
    assert token_in(posted.get_data(as_text=True)) is None
    response = client.get(posted.location)
    assert response.status_code == 200
    token = token_in(response.get_data(as_text=True))
    assert token
    assert len(token) > 40
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps([row.name, row.hint, row.token_hash])
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "api_token")) == "create"
    listing = client.get("/callbacks/tokens").get_data(as_text=True)  # the refresh: shown no more
    assert "Voice agent" in listing
    assert token not in listing
    assert token_in(listing) is None
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 1
    assert response.headers["Cache-Control"] == "no-store"


def test_the_token_works_until_it_is_revoked(app, client, world):
    client.login(world.admin.email)
    token = token_in(create(client).get_data(as_text=True))
    body = {"customer_name": "Ole", "phone_number": "+4930999888", "branch_id": world.north.id}

    def call():
        return client.post("/api/v1/callbacks", data=json.dumps(body), content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"}).status_code

    assert call() == 201
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert client.submit(f"/callbacks/tokens/{token_id}/revoke").status_code == 302
    assert call() == 401
    again = client.submit(f"/callbacks/tokens/{token_id}/revoke")
    assert again.status_code == 409
    assert "already revoked" in again.get_data(as_text=True)


def test_a_token_needs_a_name(app, client, world):
    client.login(world.admin.email)
    for name, message in (("", "Give the token a name"), ("x" * 101, "at most 100")):
        response = create(client, name)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_admins_see_create_or_revoke_tokens(app, client, world, role):
    client.login(world.admin.email)
    create(client)
    client.logout()
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    client.login(getattr(world, role).email)
    assert client.get("/callbacks/tokens").status_code == 403
    assert create(client, "sneaky").status_code == 403
    assert client.submit(f"/callbacks/tokens/{token_id}/revoke").status_code == 403
    assert "API tokens" not in client.get("/callbacks/").get_data(as_text=True)
    with app.app_context():
        assert [t.revoked_at for t in db.session.scalars(select(ApiToken))] == [None]

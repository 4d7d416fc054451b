"""Tokens with scopes: a missing scope is 403 naming it, another company's record 404, the token
page lets an admin pick scopes, errors are problem documents."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ApiToken
from tests.api.support import call, token_for

BRANCH = {"name": "Berlin Mitte"}
ENDPOINTS = [  # (method, path, body, scope)
    ("PUT", "/api/v1/sync/branches/mitte", BRANCH, "sync:write"),
    (
        "POST",
        "/api/v1/sync/batch",
        {"records": [{"type": "branch", "external_id": "m", "data": BRANCH}]},
        "sync:write",
    ),
    ("GET", "/api/v1/policies/cancellation", None, "policies:read"),
    ("POST", "/api/v1/appointments/a-1/decisions", {"action": "cancel"}, "decisions:write"),
    ("POST", "/api/v1/appointments/a-1/modifications", {"action": "cancel"}, "decisions:write"),
    ("GET", "/api/v1/notifications/reminder_24h", None, "notifications:read"),
    ("GET", "/api/v1/callbacks/1", None, "callbacks:write"),
]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_a_token_without_the_scope_is_refused_with_403_naming_it(
    app, client, world, method, path, body, scope
):
    others = " ".join(
        s
        for s in ("callbacks:write", "sync:write", "policies:read", "decisions:write", "notifications:read")
        if s != scope
    )
    response = call(client, method, path, token_for(app, world, others), body)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["missing_scope"] == scope
    assert scope in problem["detail"]
    assert problem["type"].endswith("#problem-missing-scope")


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_no_token_is_401_with_a_bearer_challenge(client, method, path, body, scope):
    response = client.open(path, method=method, json=body)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert {"type", "title", "status", "detail"} <= set(response.get_json())

# An appointment of the other company's synced records (b1, s1, c1).
APPOINTMENT = {
    "branch": "b1",
    "service": "s1",
    "customer": "c1",
    "starts_at": "2030-01-01T10:00:00+01:00",
    "ends_at": "2030-01-01T11:00:00+01:00",
}


def test_another_companys_records_are_404(app, client, make, world):
    other = make.world()
    mine, theirs = token_for(app, world, name="mine"), token_for(app, other, name="theirs")
    assert call(client, "PUT", "/api/v1/sync/branches/b1", theirs, BRANCH).status_code == 201
    for body in ({"name": "Kiel"}, {"name": "Lübeck"}):
        assert call(client, "PUT", "/api/v1/sync/customers/c1", theirs, body).status_code in (200, 201)
    synced = call(
        client,
        "PUT",
        "/api/v1/sync/appointments/a1",
        theirs,
        APPOINTMENT,
    )
    assert synced.status_code == 422  # unknown service: named
    assert synced.get_json()["fields"]["service"].startswith("Unknown service")
    assert (
        call(
            client,
            "PUT",
            "/api/v1/sync/services/s1",
            theirs,
            {"name": "Synced colouring", "branches": ["b1"]},
        ).status_code
        == 201
    )
    assert (
        call(
            client,
            "PUT",
            "/api/v1/sync/appointments/a1",
            theirs,
            APPOINTMENT,
        ).status_code
        == 201
    )
    assert (
        call(client, "POST", "/api/v1/appointments/a1/decisions", theirs, {"action": "cancel"}).status_code
        == 200
    )
    assert (
        call(client, "POST", "/api/v1/appointments/a1/decisions", mine, {"action": "cancel"}).status_code
        == 404
    )
    refused = call(client, "GET", "/api/v1/policies/cancellation?branch=b1", mine)
    assert refused.status_code == 422
    assert "b1" in refused.get_json()["fields"]["branch"]


def test_an_admin_picks_scopes_on_the_token_page(app, client, world):
    client.login(world.admin.email)
    client.submit(
        "/callbacks/tokens", {"name": "Booking system", "scopes": ["sync:write", "decisions:write"]}
    )
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.name == "Booking system"))
        assert row.scope_set == {"sync:write", "decisions:write"}
    refused = client.submit("/callbacks/tokens", {"name": "Bad", "scopes": ["decisions:force"]})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ApiToken).where(ApiToken.name == "Bad")) is None


def test_the_openapi_document_is_generated_and_the_reference_page_shows_it(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/sync/batch" in spec["paths"]
    problem = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(problem) == ["application/problem+json"]
    page = client.get("/api/v1/reference")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path, operations in spec["paths"].items():  # the page lists every operation of the document
        for method in operations:
            if method != "parameters":
                assert f'data-operation="{method.upper()} {path}"' in html
    assert 'id="problem-missing-scope"' in html
    explorer = client.get("/api/v1/explorer")
    assert "swagger-ui-5.32.0/swagger-ui-bundle.js" in explorer.get_data(as_text=True)
    assert "script-src 'self'" in explorer.headers["Content-Security-Policy"]

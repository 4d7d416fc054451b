"""Every status code the OpenAPI document lists for an operation is reached by a request here,
and each answer's body is a problem document (errors) or matches the operation's schema keys."""

import json
import re

from sqlalchemy.exc import IntegrityError

from portal.api import sync as api_sync
from tests.api.support import token_for

EVERY = "callbacks:write sync:write policies:read decisions:write decisions:force notifications:read"
FUTURE = "2030-05-01T10:00:00+02:00"


def documented(client) -> set[tuple[str, str, int]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    return {
        (method.upper(), path, int(status))
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method != "parameters"
        for status in operation["responses"]
        if status != "default"
    }


def template(app, method, url) -> str:
    rule, _ = app.url_map.bind("localhost").match(url.split("?")[0], method, return_rule=True)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


class Recorder:
    def __init__(self, app, client):
        self.app, self.client, self.reached = app, client, set()

    def send(self, method, url, token=None, body=None, raw=None, headers=None):
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.client.open(
            url, method=method, data=data, headers=headers, content_type="application/json"
        )
        self.reached.add((method, template(self.app, method, url), response.status_code))
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
            assert {"type", "title", "status", "detail"} <= set(response.get_json())
        return response


def sync_records(rec, token):
    for kind, ext, body in (
        ("branches", "b", {"name": "Status branch"}),
        ("services", "s", {"name": "Status service", "branches": ["b"]}),
        ("staff", "st", {"name": "Sam", "branch": "b", "services": ["s"]}),
        ("customers", "c", {"name": "Cem"}),
        (
            "appointments",
            "a",
            {
                "branch": "b",
                "service": "s",
                "customer": "c",
                "starts_at": FUTURE,
                "ends_at": FUTURE.replace("T10", "T11"),
            },
        ),
        (
            "appointments",
            "gone",
            {
                "branch": "b",
                "service": "s",
                "customer": "c",
                "starts_at": FUTURE,
                "ends_at": FUTURE.replace("T10", "T11"),
                "status": "cancelled",
            },
        ),
    ):
        assert rec.send("PUT", f"/api/v1/sync/{kind}/{ext}", token, body).status_code == 201
        rec.send("PUT", f"/api/v1/sync/{kind}/{ext}", token, body)  # 200: unchanged
        refused = dict(body, name="") if "name" in body else dict(body, branch="nowhere")
        assert rec.send("PUT", f"/api/v1/sync/{kind}/{ext}", token, refused).status_code == 422


def operations(world):
    """(method, url, body) of each operation, with records that exist."""
    return [
        (
            "POST",
            "/api/v1/callbacks",
            {"customer_name": "Cem", "phone_number": "0151 23456789", "branch_id": world.north.id},
        ),
        ("GET", "/api/v1/callbacks/1", None),
        *[
            ("PUT", f"/api/v1/sync/{kind}/x", {"name": "X"})
            for kind in ("branches", "services", "staff", "customers")
        ],
        ("PUT", "/api/v1/sync/appointments/x", {}),
        ("POST", "/api/v1/sync/batch", {"records": []}),
        ("GET", "/api/v1/policies/cancellation", None),
        ("POST", "/api/v1/appointments/a/decisions", {"action": "cancel"}),
        ("POST", "/api/v1/appointments/a/modifications", {"action": "cancel"}),
        ("GET", "/api/v1/notifications/reminder_24h", None),
    ]


def test_every_documented_status_is_reached(app, client, world, monkeypatch):
    rec, token = Recorder(app, client), token_for(app, world, EVERY)
    only_callbacks, only_sync = token_for(app, world, "callbacks:write"), token_for(app, world, "sync:write")
    for method, url, body in operations(world):  # 401 and 403 on every operation
        rec.send(method, url, None, body)
        rec.send(method, url, only_sync if "callbacks" in url else only_callbacks, body)
    sync_records(rec, token)
    created = rec.send("POST", "/api/v1/callbacks", token, operations(world)[0][2])
    assert rec.send("POST", "/api/v1/callbacks", token, operations(world)[0][2]).get_json()["merged"] is True
    rec.send("POST", "/api/v1/callbacks", token, raw="[1]")
    rec.send("POST", "/api/v1/callbacks", token, raw=json.dumps({"notes": "x" * 20_000}))
    rec.send("POST", "/api/v1/callbacks", token, {"customer_name": "Cem"})
    rec.send("GET", f"/api/v1/callbacks/{created.get_json()['id']}", token)
    rec.send("GET", "/api/v1/callbacks/999999", token)
    batch = {"records": [{"type": "branch", "external_id": "b2", "data": {"name": "Second branch"}}]}
    rec.send("POST", "/api/v1/sync/batch", token, batch)
    rec.send(
        "POST", "/api/v1/sync/batch", token, {"records": [{"type": "staff", "external_id": "z", "data": {}}]}
    )
    for method, path, body in (
        ("GET", "/api/v1/policies/cancellation?branch=b&service=s&staff=st", None),
        ("GET", "/api/v1/policies/nonsense", None),
        ("GET", "/api/v1/policies/cancellation?branch=nowhere", None),
        ("GET", "/api/v1/notifications/reminder_24h?branch=b", None),
        ("GET", "/api/v1/notifications/nonsense", None),
        ("GET", "/api/v1/notifications/reminder_24h?staff=nobody", None),
    ):
        rec.send(method, path, token, body)
    for kind in ("decisions", "modifications"):
        rec.send("POST", f"/api/v1/appointments/nowhere/{kind}", token, {"action": "cancel"})
        rec.send("POST", f"/api/v1/appointments/gone/{kind}", token, {"action": "cancel"})
        rec.send("POST", f"/api/v1/appointments/a/{kind}", token, {"action": "explode"})
    rec.send("POST", "/api/v1/appointments/a/decisions", token, {"action": "cancel"})
    rec.send("POST", "/api/v1/appointments/a/modifications", token, {"action": "cancel"})

    def racing(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    monkeypatch.setattr(api_sync, "apply_records", racing)
    for kind in ("branches", "services", "staff", "customers"):
        rec.send("PUT", f"/api/v1/sync/{kind}/race", token, {"name": "Racer"})
    rec.send(
        "PUT",
        "/api/v1/sync/appointments/race",
        token,
        {
            "branch": "b",
            "service": "s",
            "customer": "c",
            "starts_at": FUTURE,
            "ends_at": FUTURE.replace("T10", "T11"),
        },
    )
    rec.send("POST", "/api/v1/sync/batch", token, batch)
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1 per minute")
    for number, (method, url, body) in enumerate(operations(world)):
        limited = token_for(app, world, EVERY, name=f"limited-{number}")
        rec.send(method, url, limited, body)
        assert rec.send(method, url, limited, body).status_code == 429
    missing = documented(client) - rec.reached
    assert not missing, sorted(missing)

"""Reads of the API answer what the pages show: the effective policy with provenance (the
pages' resolver), an event's channels and delivery plan (the matrix and plan page's), a
callback's status for the voice agent."""

from datetime import datetime

from sqlalchemy import update

from portal.domain.notification_plan import delivery_plan
from portal.extensions import db
from portal.models import (
    Branch,
    CallbackRequest,
    NotificationConfiguration,
    PolicyConfiguration,
)
from portal.services.notifications.read import node_matrix
from portal.services.policies.read import make_node_ref, resolve_node_in_full
from tests.api.support import call, name_externally, token_for


def add_policy(app, world, level, ident, config, policy_type="cancellation"):
    with app.app_context():
        db.session.add(
            PolicyConfiguration(
                company_id=world.company.id,
                configurable_type=level,
                configurable_id=ident,
                policy_type=policy_type,
                config=config,
            )
        )
        db.session.commit()


def test_each_value_of_the_effective_policy_names_the_level_it_comes_from(app, client, world):
    name_externally(app, world)
    add_policy(app, world, "company", world.company.id, {"hours_before": 24, "fee": "15.00"})
    add_policy(app, world, "branch", world.north.id, {"hours_before": 48})
    token = token_for(app, world, "policies:read")
    body = call(
        client, "GET", "/api/v1/policies/cancellation?branch=north&service=cut&staff=ann", token
    ).get_json()
    assert [node["external_id"] for node in body["path"]] == [None, "north", "cut", "ann"]
    hours = body["values"]["hours_before"]
    assert hours["value"] == 48
    assert (hours["source"]["level"], hours["source"]["external_id"]) == ("branch", "north")
    assert [source["level"] for source in hours["overrides"]] == ["company"]
    assert body["values"]["fee"]["source"]["level"] == "company"
    with app.app_context():  # the pages' resolver, for the branch node itself
        node = make_node_ref(world.company.id, db.session.get(Branch, world.north.id))
        resolved, _, _ = resolve_node_in_full(world.company.id, "cancellation", node)
    at_branch = call(client, "GET", "/api/v1/policies/cancellation?branch=north", token).get_json()["values"]
    assert {key: value["value"] for key, value in at_branch.items()} == {
        k: v.value for k, v in resolved.items()
    }
    add_policy(app, world, "staff", world.ann.id, {"hours_before": 6})  # a change is seen at once (cache)
    again = call(
        client, "GET", "/api/v1/policies/cancellation?branch=north&service=cut&staff=ann", token
    ).get_json()
    assert again["values"]["hours_before"]["source"]["external_id"] == "ann"


def test_the_delivery_plan_is_the_plan_pages_one(app, client, world):
    name_externally(app, world)
    with app.app_context():
        db.session.add(
            NotificationConfiguration(
                company_id=world.company.id,
                configurable_type="branch",
                configurable_id=world.north.id,
                event_type="reminder_24h",
                channel="sms",
                retry_count=2,
                retry_delay_minutes=10,
                fallback_channel="email",
            )
        )
        db.session.commit()
    token = token_for(app, world, "notifications:read")
    body = call(client, "GET", "/api/v1/notifications/reminder_24h?branch=north", token).get_json()
    sms = next(cell for cell in body["channels"] if cell["channel"] == "sms")
    assert sms["settings"]["retry_count"]["value"] == 2
    assert sms["settings"]["retry_count"]["source"]["external_id"] == "north"
    with app.app_context():
        node = make_node_ref(world.company.id, db.session.get(Branch, world.north.id))
        matrix = node_matrix(world.company.id, node)
        event = next(e for e in matrix.events if e.event_type == "reminder_24h")
        expected = delivery_plan(event, matrix.cells_of("reminder_24h"), datetime(2030, 1, 1))
    assert [(a["minutes"], a["channel"], a["kind"]) for a in body["plan"]] == [
        (a.minutes, a.channel, a.kind) for a in expected
    ]
    assert ("sms", "retry", 10) in {(a["channel"], a["kind"], a["wait_minutes"]) for a in body["plan"]}


def test_the_voice_agent_reads_who_calls_back(app, client, world):
    token = token_for(app, world, "callbacks:write")
    created = call(
        client,
        "POST",
        "/api/v1/callbacks",
        token,
        {"customer_name": "Eva", "phone_number": "0151 23456789", "branch_id": world.north.id},
    ).get_json()
    pending = call(client, "GET", f"/api/v1/callbacks/{created['id']}", token).get_json()
    assert (pending["status"], pending["assignee"], pending["overdue"]) == ("pending", None, False)
    with app.app_context():
        db.session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id == created["id"])
            .values(status="assigned", assigned_to=world.bob.id)
        )
        db.session.commit()
    assigned = call(client, "GET", f"/api/v1/callbacks/{created['id']}", token).get_json()
    assert assigned["status"] == "assigned"
    assert assigned["assignee"] == "Bob"
    assert "Bob will call back" in assigned["message"]


def test_reads_answer_in_english_whatever_language_the_client_asks_for(app, client, world):
    """The API's words are its reference's (English): a German Accept-Language changes nothing."""
    name_externally(app, world)
    add_policy(app, world, "company", world.company.id, {"hours_before": 24, "fee": "15.00"})
    token = token_for(app, world, "policies:read notifications:read")
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    path = "/api/v1/policies/cancellation?branch=north"
    assert call(client, "GET", path, token, headers=german).get_json() == call(
        client, "GET", path, token).get_json()
    plan = "/api/v1/notifications/reminder_24h?branch=north"
    body = call(client, "GET", plan, token, headers=german).get_json()
    assert body == call(client, "GET", plan, token).get_json()
    assert body["label"] == "Reminder 24 hours before"

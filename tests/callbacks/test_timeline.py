"""The detail page's timeline: every step with actor and time, in order."""
import json
from datetime import datetime, timedelta

from portal.models import utcnow
from tests.callbacks.support import add_callback, add_token, set_callback_policy
from tests.html import Element, parse


def timeline_entries(client, callback_id) -> list[Element]:
    page = parse(client.get(f"/callbacks/{callback_id}").get_data(as_text=True))
    return page.one("section", data_timeline=True).find_all("li", data_entry=True)


def timeline(client, callback_id) -> list[str]:
    """Each entry as "what | who" (who empty when no actor is recorded)."""
    shown = []
    for entry in timeline_entries(client, callback_id):
        who = entry.find(data_who=True)
        shown.append(f"{entry.one(data_what=True).text} | {who['data-who'] if who else ''}")
    return shown


def act(client, callback_id, action, version, **form):
    response = client.submit(f"/callbacks/{callback_id}/{action}", {"version": version, **form})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_callback_tells_its_whole_story(app, client, make, world):
    set_callback_policy(app, world, {"max_contact_attempts": 1})
    add_token(app, world, "cbt_website-token-1234567890")
    body = {"customer_name": "Mia Koch", "phone_number": "+49 30 555 123", "branch_id": world.north.id}
    headers = {"Authorization": "Bearer cbt_website-token-1234567890"}
    first = client.post("/api/v1/callbacks", data=json.dumps(body), headers=headers,
                        content_type="application/json").get_json()
    client.post("/api/v1/callbacks", data=json.dumps({**body, "priority": "urgent", "notes": "again!"}),
                headers=headers, content_type="application/json")
    callback_id = first["id"]
    client.login(world.agent.email)
    act(client, callback_id, "claim", 2)
    act(client, callback_id, "attempt", 3, note="voicemail")
    act(client, callback_id, "contacted", 4)
    act(client, callback_id, "complete", 5, note="moved to Friday")
    token = f"API token “Token {world.company.id}”"
    agent = world.agent.name
    assert timeline(client, callback_id) == [
        f"Created with priority normal | {token}",
        f"Merged a new request from the same phone; priority raised from normal to urgent | {token}",
        f"Claimed by Bob | {agent}",
        f"Failed contact attempt 1 | {agent}",
        "Escalated: Too many failed attempts after 1 attempt | Automatic",
        f"Marked contacted | {agent}",
        f"Completed | {agent}",
    ]
    text = parse(client.get(f"/callbacks/{callback_id}").get_data(as_text=True)).text
    assert "voicemail" in text
    assert "moved to Friday" in text
    assert "again!" in text


def test_escalation_resolution_cancellation_and_the_sweep_appear_too(app, client, world):
    callback = add_callback(app, world, minutes_left=-30)
    app.test_cli_runner().invoke(args=["callbacks", "sweep"])
    client.login(world.manager.email)
    act(client, callback.id, "escalate", 1, note="angry customer", staff_id=world.ann.id)
    page = parse(client.get(f"/callbacks/{callback.id}").get_data(as_text=True))
    resolve_urls = [form["action"] for form in page.find_all("form") if form["action"].endswith("/resolve")]
    assert len(resolve_urls) == 2
    for url in resolve_urls:
        assert client.submit(url, {"notes": "apologised"}).status_code == 302
    act(client, callback.id, "cancel", 2, reason="customer cancelled the appointment")
    manager = world.manager.name
    assert timeline(client, callback.id) == [
        "Created with priority normal | ",  # made by a factory: no source recorded
        "Escalated: SLA breached | Sweep (automatic)",
        f"Escalated to Ann: Manual escalation | {manager}",
        f"Resolved the escalation (SLA breached) | {manager}",
        f"Resolved the escalation (Manual escalation) | {manager}",
        f"Cancelled | {manager}",
    ]


def test_entries_carry_their_time(app, client, world):
    callback = add_callback(app, world, created_minutes_ago=90)
    client.login(world.agent.email)
    created = timeline_entries(client, callback.id)[0].one("time")["datetime"]
    assert abs(utcnow() - timedelta(minutes=90) - datetime.fromisoformat(created.rstrip("Z"))) < timedelta(minutes=1)

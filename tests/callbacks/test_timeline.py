"""The detail page's timeline: every step with actor and time, in order."""
import json
import re
from datetime import datetime, timedelta

from portal.models import utcnow
from tests.callbacks.support import add_callback, add_token, set_callback_policy


def timeline(client, callback_id) -> list[str]:
    html = client.get(f"/callbacks/{callback_id}").get_data(as_text=True)
    section = html.split('id="timeline-title"')[1]
    entries = re.findall(r'<span class="cb-what">(.*?)</span>(?: <span class="cb-who">by (.*?)</span>)?', section)
    return [f"{what} | {who}" for what, who in entries]


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
    html = client.get(f"/callbacks/{callback_id}").get_data(as_text=True)
    assert "voicemail" in html and "moved to Friday" in html and "again!" in html


def test_escalation_resolution_cancellation_and_the_sweep_appear_too(app, client, world):
    callback = add_callback(app, world, minutes_left=-30)
    app.test_cli_runner().invoke(args=["callbacks", "sweep"])
    client.login(world.manager.email)
    act(client, callback.id, "escalate", 1, note="angry customer", staff_id=world.ann.id)
    html = client.get(f"/callbacks/{callback.id}").get_data(as_text=True)
    for escalation_id in re.findall(r'/escalations/(\d+)/resolve', html):
        assert client.submit(f"/callbacks/{callback.id}/escalations/{escalation_id}/resolve",
                             {"notes": "apologised"}).status_code == 302
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
    html = client.get(f"/callbacks/{callback.id}").get_data(as_text=True)
    created = re.search(r'<time datetime="([^"]+)">', html.split('id="timeline-title"')[1]).group(1)
    assert abs(utcnow() - timedelta(minutes=90) - datetime.fromisoformat(created.rstrip("Z"))) < timedelta(minutes=1)

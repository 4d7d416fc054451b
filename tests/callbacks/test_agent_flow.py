"""The agent's day without detours: claim and unassign from the queue row, "Next callback",
unassigning one's own mistaken claim, the attempt form stopping at the maximum, staff pickers
grouped by branch, and times in the company's zone."""
import re
from datetime import datetime

import pytest

from portal.domain.callbacks import merged_notes
from portal.domain.clock import to_local
from portal.models import utcnow
from tests.callbacks.support import add_callback, escalations, load, set_callback_policy
from tests.html import get, page


def queue_row(client, callback, url="/callbacks/"):
    return get(client, url).one("tr", data_callback=callback.id)


def submit_row_form(client, row, action):
    """Press the row's button as the browser does: the fields of the form it names, its own
    name and value, sent to its formaction."""
    button = next(button for button in row.find_all("button")
                  if button["formaction"].split("?")[0].endswith(f"/{action}"))
    document = row
    while document.parent is not None:
        document = document.parent
    form = document.one("form", id=button["form"])
    data = {field["name"]: field["value"] for field in form.find_all("input") if field["name"] != "csrf_token"}
    return client.submit(button["formaction"], {**data, button["name"]: button["value"]})


def test_an_agent_claims_from_the_queue_row_and_stays_on_the_queue(app, client, world):
    callback = add_callback(app, world)
    client.login(world.agent.email)
    row = queue_row(client, callback, "/callbacks/?priority=normal")
    assert row.one(data_row_actions=True)["data-row-actions"] == "claim"
    response = submit_row_form(client, row, "claim")
    assert response.status_code == 302
    assert response.location.startswith("/callbacks/?priority=normal")  # the filters are kept
    assert (load(app, callback.id).status, load(app, callback.id).assigned_to) == ("assigned", world.bob.id)
    assert queue_row(client, callback).one(data_row_actions=True)["data-row-actions"] == "unassign"


def test_an_agent_unassigns_their_own_mistaken_claim_from_the_row(app, client, world):
    callback = add_callback(app, world, status="assigned", assignee=world.bob)  # the agent's own record
    client.login(world.agent.email)
    response = submit_row_form(client, queue_row(client, callback), "unassign")
    assert response.status_code == 302
    after = load(app, callback.id)
    assert (after.status, after.assigned_to) == ("pending", None)


def test_an_agent_cannot_unassign_someone_elses_callback(app, client, world):
    callback = add_callback(app, world, status="assigned", assignee=world.ann)
    client.login(world.agent.email)
    row = queue_row(client, callback)
    assert "unassign" not in row.one(data_row_actions=True)["data-row-actions"].split()
    response = client.submit(f"/callbacks/{callback.id}/unassign", {"version": callback.version})
    assert response.status_code == 403
    assert "only callbacks assigned to them" in response.get_data(as_text=True)
    assert load(app, callback.id).assigned_to == world.ann.id


def test_a_lost_race_on_the_row_answers_409_on_the_queue_with_who_won(app, client, make, world):
    callback = add_callback(app, world)
    rival = make.user(world.company, "agent", staff=world.ann)
    other = app.test_client()
    other.login(rival.email)
    client.login(world.agent.email)
    row = queue_row(client, callback)
    assert other.submit(f"/callbacks/{callback.id}/claim", {"version": callback.version}).status_code == 302
    response = submit_row_form(client, row, "claim")
    assert response.status_code == 409
    body = page(response)
    assert body.one("table", data_now=True)  # the queue again, not the detail page
    assert f"{rival.name} claimed this callback at" in body.text
    assert re.search(r"claimed this callback at \d\d:\d\d CE[S]?T", body.text)  # the company's zone


def test_next_callback_claims_the_top_of_my_queue(app, client, world):
    later = add_callback(app, world, minutes_left=300, name="Later")
    overdue = add_callback(app, world, minutes_left=-20, name="Overdue")
    add_callback(app, world, branch=world.north, status="assigned", assignee=world.ann, minutes_left=-90)
    client.login(world.agent.email)
    response = client.submit("/callbacks/next", {})
    assert response.status_code == 302
    assert response.location == f"/callbacks/{overdue.id}"
    assert load(app, overdue.id).assigned_to == world.bob.id
    assert client.submit("/callbacks/next", {}).location == f"/callbacks/{later.id}"
    nothing = client.submit("/callbacks/next", {})
    assert nothing.status_code == 302
    assert "Nothing is waiting" in get(client, nothing.location).text


def test_next_callback_takes_the_following_one_when_someone_was_faster(app, client, make, world, monkeypatch):
    first = add_callback(app, world, minutes_left=10)
    second = add_callback(app, world, minutes_left=20)
    from portal.services.callbacks import actions

    real_claim = actions.claim

    def rival_first(user, callback, version, now):
        if callback.id == first.id:  # another agent's claim lands between our read and our UPDATE
            from portal.extensions import db
            from portal.models import CallbackRequest

            db.session.execute(db.update(CallbackRequest).where(CallbackRequest.id == first.id)
                               .values(status="assigned", assigned_to=world.ann.id, version=CallbackRequest.version + 1))
            db.session.commit()
        return real_claim(user, callback, version, now)

    monkeypatch.setattr(actions, "claim", rival_first)
    client.login(world.agent.email)
    assert client.submit("/callbacks/next", {}).location == f"/callbacks/{second.id}"
    assert load(app, first.id).assigned_to == world.ann.id
    assert load(app, second.id).assigned_to == world.bob.id


def test_next_callback_needs_a_staff_record(app, client, world):
    add_callback(app, world)
    client.login(world.admin.email)
    response = client.submit("/callbacks/next", {})
    assert response.status_code == 403
    assert "not linked to a staff record" in response.get_data(as_text=True)


def test_the_attempt_form_stops_at_the_maximum_and_says_it_escalated(app, client, world):
    set_callback_policy(app, world, {"max_contact_attempts": 2})
    callback = add_callback(app, world, status="assigned", assignee=world.bob)
    client.login(world.agent.email)
    assert get(client, f"/callbacks/{callback.id}").find("form", action=f"/callbacks/{callback.id}/attempt")
    for version in (1, 2):
        client.submit(f"/callbacks/{callback.id}/attempt", {"version": version})
    detail = get(client, f"/callbacks/{callback.id}")
    assert detail.find("form", action=f"/callbacks/{callback.id}/attempt") is None
    assert "escalated" in detail.one(data_attempts="exhausted").text
    assert [e.escalation_reason for e in escalations(app, callback.id)] == ["multiple_attempts_failed"]
    crafted = client.submit(f"/callbacks/{callback.id}/attempt", {"version": 3})
    assert crafted.status_code == 409
    assert load(app, callback.id).contact_attempts == 2  # never "attempt 3 of 2"


def test_the_last_attempt_says_escalation_happened(app, client, world):
    set_callback_policy(app, world, {"max_contact_attempts": 1})
    callback = add_callback(app, world, status="assigned", assignee=world.bob)
    client.login(world.agent.email)
    response = client.submit(f"/callbacks/{callback.id}/attempt", {"version": 1}, follow_redirects=True)
    assert "the callback is escalated" in page(response).text


@pytest.mark.parametrize(("where", "expected"), [
    ("detail", {"North": ["Ann", "Bob"]}),  # the callback's branch (tests/callbacks/test_pickers.py)
    ("queue", {"North": ["Ann", "Bob"], "South": ["Cy"]}),  # the branches of the queue's rows
    ("new", {"North": ["Ann", "Bob"]}),  # the branch the form shows selected
])
def test_staff_pickers_are_grouped_by_branch(app, client, world, where, expected):
    callback = add_callback(app, world, status="assigned", assignee=world.ann)
    add_callback(app, world, branch=world.south)  # the queue's picker lists the staff of its rows' branches
    client.login(world.admin.email)
    url = {"detail": f"/callbacks/{callback.id}", "queue": "/callbacks/", "new": "/callbacks/new"}[where]
    picker = get(client, url).find_all("select", name="staff_id")[0]
    groups = {group["label"]: [option.text for option in group.find_all("option")]
              for group in picker.find_all("optgroup")}
    assert groups == expected


def test_merged_note_stamps_are_in_the_company_zone():
    assert merged_notes(None, "call me", datetime(2026, 1, 15, 12, 0), "API", "Europe/Berlin") == \
        "[2026-01-15 13:00 CET, API] call me"


def test_the_csv_file_name_is_in_the_company_zone(app, client, world):
    client.login(world.admin.email)
    before = to_local(utcnow(), "Europe/Berlin")
    response = client.get("/callbacks/export.csv")
    response.get_data()  # the CSV streams; read it whole before the next request
    after = to_local(utcnow(), "Europe/Berlin")
    stamp = re.search(r"callbacks-(\d{8}-\d{4})\.csv", response.headers["Content-Disposition"]).group(1)
    assert stamp in {f"{before:%Y%m%d-%H%M}", f"{after:%Y%m%d-%H%M}"}

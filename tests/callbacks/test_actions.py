"""The actions on a callback, through the pages: effects, required inputs, who acted first."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.callbacks.support import add_callback, add_escalation, escalations, load, set_callback_policy
from tests.html import get


def act(client, callback, action, version=None, **form):
    return client.submit(f"/callbacks/{callback.id}/{action}",
                         {"version": callback.version if version is None else version, **form})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_agent_claims_and_the_callback_is_assigned_to_their_staff_record(app, client, world):
    callback = add_callback(app, world)
    client.login(world.agent.email)
    assert act(client, callback, "claim").status_code == 302
    after = load(app, callback.id)
    assert (after.status, after.assigned_to, after.version) == ("assigned", world.bob.id, 2)
    assert after.assigned_at is not None


def test_a_user_without_a_staff_record_cannot_claim_and_is_told_why(app, client, world):
    callback = add_callback(app, world)
    client.login(world.admin.email)  # the world's admin has no staff record
    response = act(client, callback, "claim")
    assert response.status_code == 403
    assert "not linked to a staff record" in text(response)
    assert load(app, callback.id).status == "pending"


def test_the_second_of_two_agents_is_told_who_claimed_first(app, client, make, world):
    callback = add_callback(app, world)
    rival = make.user(world.company, "agent", staff=world.ann)
    other = app.test_client()
    other.login(rival.email)
    client.login(world.agent.email)
    assert act(other, callback, "claim").status_code == 302  # both saw version 1
    response = act(client, callback, "claim")
    assert response.status_code == 409
    assert f"{rival.name} claimed this callback at" in text(response)
    assert "It is now assigned, assigned to Ann" in text(response)
    assert load(app, callback.id).assigned_to == world.ann.id


def test_a_form_without_its_version_is_refused(app, client, world):
    callback = add_callback(app, world)
    client.login(world.agent.email)
    response = client.submit(f"/callbacks/{callback.id}/claim", {})
    assert response.status_code == 400
    assert load(app, callback.id).status == "pending"


@pytest.mark.parametrize(("who", "staff", "ok"), [
    ("manager", "bob", True),    # their branch
    ("manager", "cy", False),    # another branch
    ("admin", "cy", True),       # admins: the whole company
    ("admin", "stranger", False),  # another company's staff
])
def test_assigning_needs_a_staff_member_in_the_users_scope(app, client, make, world, who, staff, ok):
    callback = add_callback(app, world)
    target = make.world().ann if staff == "stranger" else getattr(world, staff)
    client.login(getattr(world, who).email)
    response = act(client, callback, "assign", staff_id=target.id)
    assert response.status_code == (302 if ok else 400)
    assert load(app, callback.id).assigned_to == (target.id if ok else None)
    if not ok:
        assert "Choose a staff member from the list." in text(response)


def test_unassign_puts_it_back_in_the_queue(app, client, world):
    callback = add_callback(app, world, status="assigned", assignee=world.bob)
    client.login(world.manager.email)
    assert act(client, callback, "unassign").status_code == 302
    after = load(app, callback.id)
    assert (after.status, after.assigned_to, after.assigned_at) == ("pending", None, None)


def test_failed_attempts_count_up_and_the_maximum_raises_one_escalation(app, client, world):
    set_callback_policy(app, world, {"max_contact_attempts": 2})
    callback = add_callback(app, world, status="assigned", assignee=world.bob)
    client.login(world.agent.email)
    first = act(client, callback, "attempt", note="voicemail")
    assert first.status_code == 302
    assert escalations(app, callback.id) == []
    response = act(client, callback, "attempt", version=2, note="no answer again")
    assert response.status_code == 302
    assert load(app, callback.id).contact_attempts == 2
    raised = escalations(app, callback.id)
    assert [(e.escalation_reason, e.resolved_at) for e in raised] == [("multiple_attempts_failed", None)]
    act(client, callback, "attempt", version=3)  # a third attempt: still one unresolved escalation
    assert len(escalations(app, callback.id)) == 1


def test_contacted_then_completed_record_their_times(app, client, world):
    callback = add_callback(app, world, status="assigned", assignee=world.bob)
    client.login(world.agent.email)
    act(client, callback, "contacted", note="reached her")
    act(client, callback, "complete", version=2, note="moved to Friday")
    after = load(app, callback.id)
    assert after.status == "completed"
    assert after.contacted_at
    assert after.completed_at


@pytest.mark.parametrize(("action", "form", "message"), [
    ("cancel", {"reason": "  "}, "Enter a reason for cancelling."),
    ("escalate", {"note": ""}, "Enter a note for the escalation."),
    ("escalate", {"note": "x" * 2001}, "at most 2000"),
    ("attempt", {"note": "x" * 2001}, "at most 2000"),
])
def test_required_and_oversized_inputs_are_refused_and_nothing_changes(app, client, world, action, form, message):
    callback = add_callback(app, world, status="assigned", assignee=world.bob)
    client.login(world.agent.email)
    response = act(client, callback, action, **form)
    assert response.status_code == 400
    assert message in text(response)
    after = load(app, callback.id)
    assert (after.status, after.version, after.contact_attempts) == ("assigned", 1, 0)
    assert escalations(app, callback.id) == []


def test_cancel_keeps_the_reason(app, client, world):
    callback = add_callback(app, world)
    client.login(world.agent.email)
    act(client, callback, "cancel", reason="customer booked online")
    after = load(app, callback.id)
    assert after.status == "cancelled"
    assert after.meta["cancel_reason"] == "customer booked online"


def test_escalating_to_a_staff_member_makes_them_the_owner(app, client, world):
    callback = add_callback(app, world)
    client.login(world.manager.email)
    response = act(client, callback, "escalate", note="VIP, needs Ann", staff_id=world.ann.id)
    assert response.status_code == 302
    after = load(app, callback.id)
    assert (after.status, after.assigned_to) == ("assigned", world.ann.id)
    [escalation] = escalations(app, callback.id)
    assert (escalation.escalation_reason, escalation.escalated_to, escalation.meta["note"]) == (
        "manual_escalation", world.ann.id, "VIP, needs Ann")


def test_a_second_manual_escalation_waits_until_the_first_is_resolved(app, client, world):
    callback = add_callback(app, world)
    add_escalation(app, callback, "manual_escalation")
    client.login(world.agent.email)
    response = act(client, callback, "escalate", note="again")
    assert response.status_code == 409
    assert "already has an unresolved manual escalation" in text(response)
    assert load(app, callback.id).version == 1  # the version bump was rolled back with it
    assert len(escalations(app, callback.id)) == 1


def test_resolving_needs_notes_and_happens_once(app, client, make, world):
    callback = add_callback(app, world)
    escalation = add_escalation(app, callback)
    url = f"/callbacks/{callback.id}/escalations/{escalation.id}/resolve"
    client.login(world.agent.email)
    assert client.submit(url, {"notes": ""}).status_code == 400
    assert client.submit(url, {"notes": "Called back, sorted"}).status_code == 302
    [resolved] = escalations(app, callback.id)
    assert resolved.resolved_at
    assert resolved.resolution_notes == "Called back, sorted"
    assert resolved.open_marker is None
    other = app.test_client()
    other.login(world.manager.email)
    again = other.submit(url, {"notes": "me too"})
    assert again.status_code == 409
    assert f"Already resolved by {world.agent.name}" in text(again)


def test_an_escalation_of_another_callback_is_not_found(app, client, world):
    one, two = add_callback(app, world), add_callback(app, world)
    escalation = add_escalation(app, two)
    client.login(world.agent.email)
    response = client.submit(f"/callbacks/{one.id}/escalations/{escalation.id}/resolve", {"notes": "x"})
    assert response.status_code == 404


def test_a_manager_never_reaches_a_callback_of_another_branch(app, client, world):
    callback = add_callback(app, world, branch=world.south)
    client.login(world.manager.email)
    assert client.get(f"/callbacks/{callback.id}").status_code == 404
    assert act(client, callback, "cancel", reason="not mine").status_code == 404
    assert load(app, callback.id).status == "pending"


def test_an_agent_with_a_branch_works_only_that_branch(app, client, make, world):
    agent = make.user(world.company, "agent", branch=world.south, staff=world.cy)
    north = add_callback(app, world, branch=world.north)
    client.login(agent.email)
    assert client.get(f"/callbacks/{north.id}").status_code == 404
    assert act(client, north, "claim").status_code == 404


@pytest.mark.parametrize(("role", "status", "shown", "hidden"), [
    ("agent", "pending", ["Claim", "Escalate", "Cancel callback"], ["Unassign", "Mark contacted", "Assign to"]),
    ("agent", "assigned", ["Record failed attempt", "Mark contacted", "Take over"], ["Complete", "Unassign"]),
    ("manager", "assigned", ["Assign to", "Unassign", "Mark contacted"], ["Claim", "Complete"]),
    ("agent", "contacted", ["Complete", "Escalate"], ["Mark contacted", "Record failed attempt", "Claim"]),
    ("manager", "completed", ["Nothing to do"], ["Escalate", "Cancel callback", "Assign to"]),
])
def test_the_detail_page_offers_only_the_allowed_actions(app, client, world, role, status, shown, hidden):
    callback = add_callback(app, world, status=status, assignee=world.ann if status != "pending" else None)
    client.login(getattr(world, role).email)
    html = text(client.get(f"/callbacks/{callback.id}"))
    for label in shown:
        assert label in html, label
    for label in hidden:
        assert label not in html, label


def test_every_action_is_audited_with_actor_and_states(app, client, world):
    callback = add_callback(app, world)
    client.login(world.agent.email)
    act(client, callback, "claim")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "callback"))
        assert (event.action, event.actor_id) == ("claim", world.agent.id)
        assert event.before["status"] == "pending"
        assert event.after["status"] == "assigned"


def test_bulk_assign_assigns_the_ticked_ones_and_names_those_that_changed(app, client, world):
    fresh = add_callback(app, world)
    stale = add_callback(app, world)
    client.login(world.manager.email)
    response = client.submit("/callbacks/bulk-assign", {
        "callbacks": [f"{fresh.id}:{fresh.version}", f"{stale.id}:{stale.version + 5}"],
        "staff_id": world.bob.id}, follow_redirects=True)
    html = text(response)
    assert "Assigned 1 callback." in html
    assert f"#{stale.id}: Not done" in html
    assert load(app, fresh.id).assigned_to == world.bob.id
    assert load(app, stale.id).assigned_to is None


@pytest.mark.parametrize("form", [{"callbacks": [], "staff_id": "1"}, {"callbacks": ["1:1"], "staff_id": ""},
                                  {"callbacks": ["one:1"], "staff_id": "1"}])
def test_bulk_assign_refuses_an_empty_or_damaged_request(app, client, world, form):
    client.login(world.manager.email)
    assert client.submit("/callbacks/bulk-assign", form).status_code == 400


def test_agents_cannot_bulk_assign(app, client, world):
    callback = add_callback(app, world)
    client.login(world.agent.email)
    response = client.submit("/callbacks/bulk-assign", {"callbacks": [f"{callback.id}:1"], "staff_id": world.bob.id})
    assert response.status_code == 403
    assert load(app, callback.id).assigned_to is None


def test_the_escalate_form_waits_while_a_manual_escalation_is_open(app, client, world):
    callback = add_callback(app, world)
    add_escalation(app, callback, "manual_escalation")
    client.login(world.agent.email)
    page = get(client, f"/callbacks/{callback.id}")
    assert "Escalated already: resolve the open manual escalation" in page.text
    assert not [form for form in page.find_all("form") if form["action"].endswith("/escalate")]

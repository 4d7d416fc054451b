"""The state machine of DESIGN §4 and the roles of §6, as one table: every (state, action, role).

The table is written out here by hand from the design, not derived from the code, so a change to
portal/domain/callbacks.py that breaks a rule fails here; the HTTP test drives the same table
through crafted POSTs, proving the server enforces it (not only the buttons).
"""
import pytest

from portal.domain.callbacks import available_actions, is_allowed, refusal
from portal.extensions import db
from portal.models import CallbackEscalation
from tests.callbacks.support import add_callback, add_escalation, load

A, M, G, S = "admin", "branch_manager", "agent", "system"
EVERY = {A, M, G}
NONE = set()
STATES = ("pending", "assigned", "contacted", "completed", "expired", "cancelled")
TABLE = {
    #             pending   assigned  contacted  completed  expired  cancelled
    "claim":     (EVERY,    EVERY,    NONE,      NONE,      NONE,    NONE),
    "assign":    ({A, M},   {A, M},   NONE,      NONE,      NONE,    NONE),
    "unassign":  (NONE,     EVERY,    NONE,      NONE,      NONE,    NONE),  # agents: own only
    "attempt":   (NONE,     EVERY,    NONE,      NONE,      NONE,    NONE),
    "contacted": (NONE,     EVERY,    NONE,      NONE,      NONE,    NONE),
    "complete":  (NONE,     NONE,     EVERY,     NONE,      NONE,    NONE),
    "cancel":    (EVERY,    EVERY,    EVERY,     NONE,      NONE,    NONE),
    "escalate":  (EVERY,    EVERY,    EVERY,     NONE,      NONE,    NONE),
    "resolve":   (EVERY,    EVERY,    EVERY,     EVERY,     EVERY,   EVERY),
    "expire":    ({S},      {S},      {S},       NONE,      NONE,    NONE),
}
CASES = [(state, action, role, role in TABLE[action][i])
         for action in TABLE for i, state in enumerate(STATES) for role in (A, M, G, S)]


@pytest.mark.parametrize(("state", "action", "role", "allowed"), CASES)
def test_every_state_action_and_role_is_allowed_or_refused_as_designed(state, action, role, allowed):
    assert is_allowed(state, action, role) is allowed
    message = refusal(state, action, role)
    assert (message is None) is allowed
    if not allowed:
        assert len(message) > 20  # a sentence a person can read, not a code


def test_refusals_say_why_in_words():
    assert refusal("completed", "claim", G) == ("A completed callback cannot be claimed; only pending or "
                                                "assigned ones can.")
    assert refusal("pending", "assign", G) == "Support agents cannot assign callbacks."
    assert refusal("pending", "expire", A) == "Callbacks expire only through the sweep."


def test_menu_of_actions_follows_the_table():
    assert available_actions("contacted", G) == ("complete", "cancel", "escalate", "resolve")
    assert available_actions("expired", M) == ("resolve",)


# --- the same table, through the server ------------------------------------------------------

FORMS = {"assign": {"staff_id": "bob"}, "cancel": {"reason": "customer solved it"},
         "escalate": {"note": "needs a manager"}, "attempt": {}, "contacted": {}, "complete": {},
         "claim": {}, "unassign": {}}


@pytest.fixture
def staffed(make, world):
    """One user of each role, all linked to a staff record of North (so claim can work)."""
    return {A: make.user(world.company, "admin", staff=world.ann),
            M: make.user(world.company, "branch_manager", branch=world.north, staff=world.ann),
            G: make.user(world.company, "agent", staff=world.bob)}


@pytest.mark.parametrize("role", [A, M, G])
def test_crafted_posts_are_enforced_on_the_server(app, client, make, world, staffed, role):
    """Every (state, action) for one signed-in role: allowed ones change the callback (302),
    refused ones answer 403 (the role may never) or 409 (not in this state) and change nothing."""
    colleague = make.staff(world.company, world.north, name="Dee")  # nobody's own record
    client.login(staffed[role].email)
    mismatches = []
    for action, form in FORMS.items():
        role_may_ever = role in set().union(*TABLE[action])
        for index, state in enumerate(STATES):
            callback = add_callback(app, world, status=state, assignee=colleague if state != "pending" else None)
            data = {"version": callback.version, **form}
            if "staff_id" in data:
                data["staff_id"] = world.bob.id  # a staff member of North: in every role's scope
            status = client.submit(f"/callbacks/{callback.id}/{action}", data).status_code
            after = load(app, callback.id)
            allowed = role in TABLE[action][index]
            expected = 302 if allowed else (409 if role_may_ever else 403)
            if action == "unassign" and role == G and state == "assigned":
                allowed, expected = False, 403  # an agent unassigns only their own; this is Dee's
            changed = after.version != callback.version
            if status != expected or changed is not allowed:
                mismatches.append((state, action, status, expected, changed))
    assert mismatches == []


@pytest.mark.parametrize("role", [A, M, G])
def test_resolving_an_escalation_is_allowed_in_every_state_to_every_role(app, client, world, staffed, role):
    client.login(staffed[role].email)
    for state in STATES:
        callback = add_callback(app, world, status=state)
        escalation = add_escalation(app, callback)
        response = client.submit(f"/callbacks/{callback.id}/escalations/{escalation.id}/resolve",
                                 {"notes": "called the customer back myself"})
        assert response.status_code == 302, state
        with app.app_context():
            assert db.session.get(CallbackEscalation, escalation.id).resolved_at is not None

"""The agents' "new callback" form: the same rules as the API, messages beside the fields."""
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import CallbackRequest, utcnow
from tests.callbacks.support import add_callback, load, set_callback_policy
from tests.html import parse


def form(world, **changes):
    return {"customer_name": "Jonas Weber", "phone_number": "0151 23456789", "branch_id": world.north.id,
            "service_id": "", "staff_id": "", "priority": "normal", "notes": "Asks about colouring", **changes}


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CallbackRequest.id)))


def newest(app):
    with app.app_context():
        return db.session.scalar(select(CallbackRequest.id).order_by(CallbackRequest.id.desc()).limit(1))


def test_agent_creates_a_callback_whose_deadline_comes_from_the_path_policy(app, client, world):
    set_callback_policy(app, world, {"sla_minutes_normal": 600})
    set_callback_policy(app, world, {"sla_minutes_normal": 120}, level="service", entity_id=world.dye.id)
    client.login(world.agent.email)
    started = utcnow()
    response = client.submit("/callbacks/new", form(world, service_id=world.dye.id))
    assert response.status_code == 302
    callback = load(app, newest(app))
    assert response.location.endswith(f"/callbacks/{callback.id}")
    assert callback.phone_number == "+4915123456789"
    assert timedelta(minutes=119) < callback.expires_at - started < timedelta(minutes=121)  # service wins
    assert callback.meta["source"] == "agent form"


def test_preferred_staff_policy_overrides_the_service(app, client, world):
    set_callback_policy(app, world, {"sla_minutes_urgent": 45}, level="service", entity_id=world.cut.id)
    set_callback_policy(app, world, {"sla_minutes_urgent": 15}, level="staff", entity_id=world.ann.id)
    client.login(world.agent.email)
    started = utcnow()
    client.submit("/callbacks/new", form(world, service_id=world.cut.id, staff_id=world.ann.id, priority="urgent"))
    callback = load(app, newest(app))
    assert timedelta(minutes=14) < callback.expires_at - started < timedelta(minutes=16)


def test_bad_input_is_shown_beside_each_field_and_nothing_is_saved(app, client, make, world):
    other = make.world()
    client.login(world.agent.email)
    response = client.submit("/callbacks/new", form(
        world, customer_name="", phone_number="12", branch_id=other.north.id, priority="critical",
        notes="x" * 2001, window_start="2026-12-01T15:00", window_end="2026-12-01T14:00"))
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    errors = " ".join(error.text for error in page.find_all("p", id=True) if error["id"].endswith("-error"))
    for message in ("Enter the customer's name.", "is not a valid phone number", "Unknown branch.",
                    "Priority must be one of", "at most 2000", "must end after it starts"):
        assert message in errors, message  # beside the fields
    phone = page.one("input", name="phone_number")
    assert phone.get("aria-invalid") == "true"
    assert phone["value"] == "12"
    assert count(app) == 0


def test_a_branch_manager_can_only_take_requests_for_their_branch(app, client, world):
    client.login(world.manager.email)
    page = client.get("/callbacks/new").get_data(as_text=True)
    assert world.south.name not in page
    response = client.submit("/callbacks/new", form(world, branch_id=world.south.id))
    assert response.status_code == 400
    assert "Choose your own branch." in response.get_data(as_text=True)
    assert count(app) == 0


def test_the_form_merges_a_repeat_call_and_tells_the_agent(app, client, world):
    existing = add_callback(app, world, phone="+4915123456789", priority="high", notes="first")
    client.login(world.agent.email)
    response = client.submit("/callbacks/new", form(world, priority="normal", notes="called again"),
                             follow_redirects=True)
    assert "already had an open request" in response.get_data(as_text=True)
    merged = load(app, existing.id)
    assert merged.priority == "high"
    assert merged.notes.endswith("called again")
    assert count(app) == 1


def test_the_form_needs_its_csrf_token(app, client, world):
    client.login(world.agent.email)
    response = client.post("/callbacks/new", data=form(world))
    assert response.status_code == 400
    assert count(app) == 0

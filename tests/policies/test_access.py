"""Who may change which policy rows — enforced on the server, proven with crafted POSTs."""
import pytest

from portal.extensions import db
from portal.models import PolicyConfiguration
from tests.html import parse
from tests.policies.conftest import editor_url

SAVE = {"version": "0", "action": "save", "mode_hours_before": "override", "value_hours_before": "5"}


def node(world, name):
    return {"company": ("company", world.company.id), "north": ("branch", world.north.id),
            "south": ("branch", world.south.id), "cut": ("service", world.cut.id),
            "ann": ("staff", world.ann.id), "cy": ("staff", world.cy.id)}[name]


def rows(app):
    with app.app_context():
        return db.session.query(PolicyConfiguration).count()


@pytest.mark.parametrize(("role", "target", "allowed"), [
    ("admin", "company", True), ("admin", "south", True), ("admin", "cut", True), ("admin", "cy", True),
    ("manager", "north", True),      # their branch
    ("manager", "ann", True),        # staff whose home branch is theirs
    ("manager", "company", False), ("manager", "cut", False),  # read-only levels
    ("manager", "south", False), ("manager", "cy", False),     # another branch and its staff
    ("agent", "north", False), ("agent", "ann", False), ("agent", "company", False),
])
def test_crafted_save_is_allowed_only_where_the_role_may_edit(app, client, world, role, target, allowed):
    client.login(getattr(world, role).email)
    level, entity_id = node(world, target)
    response = client.submit(editor_url(level, entity_id), SAVE)
    assert response.status_code == (302 if allowed else 403)
    assert rows(app) == (1 if allowed else 0)


@pytest.mark.parametrize("role", ["manager", "agent"])
@pytest.mark.parametrize("action", ["reset_row", "reset_key"])
def test_crafted_reset_is_refused_where_the_role_may_not_edit(app, client, world, add_row, role, action):
    add_row("company", world.company.id, {"hours_before": 24})
    client.login(getattr(world, role).email)
    response = client.submit(editor_url("company", world.company.id),
                             {"action": action, "key": "hours_before", "version": "1"})
    assert response.status_code == 403
    assert rows(app) == 1


@pytest.mark.parametrize(("role", "target", "reason"), [
    ("manager", "company", "only admins can change them"),
    ("manager", "cut", "only admins can change them"),
    ("manager", "south", "another branch"),
    ("agent", "north", "Support agents can view policies but not change them."),
])
def test_read_only_nodes_say_why_and_offer_no_inputs(client, world, role, target, reason):
    client.login(getattr(world, role).email)
    level, entity_id = node(world, target)
    page = client.get(editor_url(level, entity_id))
    body = parse(page.get_data(as_text=True))
    assert page.status_code == 200
    assert reason in body.text
    assert not body.find_all(name="mode_hours_before")
    assert "Save changes" not in body.text


def test_everyone_can_read_the_tree(client, world):
    for role in ("admin", "manager", "agent"):
        client.login(getattr(world, role).email)
        assert client.get("/policies/?type=callback").status_code == 200
        client.logout()


def test_unknown_policy_type_or_level_is_404(client, world):
    client.login(world.admin.email)
    assert client.get("/policies/?type=parking").status_code == 400  # a query value: named, refused
    assert client.get(f"/policies/parking/branch/{world.north.id}").status_code == 404
    assert client.get(f"/policies/cancellation/region/{world.north.id}").status_code == 404
    assert client.get("/policies/cancellation/branch/999999").status_code == 404

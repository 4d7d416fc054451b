"""Only admins change notification configuration; managers and agents view it (server-enforced)."""
import pytest

from tests.html import get
from tests.notifications.conftest import audit_count, cell_url, node_url, row_count, stored_cell

SAVE = {"version": "0", "mode_retry_count": "set", "value_retry_count": "5"}


@pytest.mark.parametrize("role", ["manager", "agent"])
@pytest.mark.parametrize("target", ["company", "own_branch", "staff_of_own_branch"])
def test_crafted_save_by_a_non_admin_is_403_and_saves_nothing(app, client, world, role, target):
    level, entity_id = {"company": ("company", world.company.id), "own_branch": ("branch", world.north.id),
                        "staff_of_own_branch": ("staff", world.ann.id)}[target]
    client.login(getattr(world, role).email)
    response = client.submit(cell_url(level, entity_id, "reminder_24h", "sms"),
                             {**SAVE, "mode_is_enabled": "set", "value_is_enabled": "no"})
    assert response.status_code == 403
    assert row_count(app) == 0
    assert audit_count(app) == 0


@pytest.mark.parametrize("role", ["manager", "agent"])
@pytest.mark.parametrize("action", ["reset_cell", "reset_key"])
def test_crafted_reset_by_a_non_admin_is_403(app, client, world, add_cell, role, action):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=5)
    client.login(getattr(world, role).email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"),
                             {"action": action, "key": "retry_count", "version": "1"})
    assert response.status_code == 403
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms") == ({"retry_count": 5}, False, 1)


@pytest.mark.parametrize("role", ["admin", "manager", "agent"])
def test_every_role_can_view_catalog_matrix_editor_and_plan(client, world, role):
    client.login(getattr(world, role).email)
    for url in ("/notifications/", node_url("company", world.company.id), node_url("staff", world.cy.id),
                cell_url("service", world.dye.id, "no_show", "push"),
                f"/notifications/branch/{world.south.id}/plan/reminder_2h"):
        assert client.get(url).status_code == 200, url


def link_texts(page) -> set[str]:
    return {link.text for link in page.find_all("a")}


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_non_admins_see_read_only_pages_without_inputs(client, world, role):
    client.login(getattr(world, role).email)
    editor = get(client, cell_url("branch", world.north.id, "reminder_24h", "sms"))
    assert "Read only." in editor.text
    assert "Only admins change notification settings" in editor.text
    assert not [field for field in editor.find_all("input") if field.get("name", "").startswith("mode_")]
    assert "Save changes" not in editor.text
    assert "Reset" not in editor.text
    matrix = get(client, node_url("branch", world.north.id))
    assert len(matrix.find_all("a", data_enabled=True)) == 13 * 4  # each cell opens its details
    assert not [form for form in matrix.find_all("form") if form.get("action", "").endswith("/bulk")]
    assert client.get(node_url("branch", world.north.id) + "/bulk").status_code == 403


def test_admin_sees_inputs_and_edit_links(client, world):
    client.login(world.admin.email)
    editor = get(client, cell_url("branch", world.north.id, "reminder_24h", "sms"))
    assert editor.find_all("input", name="mode_retry_count")
    matrix = get(client, node_url("branch", world.north.id))
    assert [form for form in matrix.find_all("form") if form.get("action", "").endswith("/bulk")]


def test_unknown_level_event_channel_or_record_is_404(client, world):
    client.login(world.admin.email)
    for url in (node_url("region", world.north.id), node_url("branch", 999999),
                cell_url("branch", world.north.id, "birthday", "sms"),
                cell_url("branch", world.north.id, "reminder_24h", "fax"),
                f"/notifications/branch/{world.north.id}/plan/birthday"):
        assert client.get(url).status_code == 404, url
    assert client.submit(cell_url("branch", world.north.id, "reminder_24h", "fax"), SAVE).status_code == 404


def test_another_companys_node_is_404_even_for_its_cell_post(app, client, world, make):
    stranger = make.world()
    client.login(world.admin.email)
    assert client.get(node_url("staff", stranger.ann.id)).status_code == 404
    response = client.submit(cell_url("branch", stranger.north.id, "reminder_24h", "sms"), SAVE)
    assert response.status_code == 404
    assert row_count(app) == 0


def test_post_without_csrf_token_is_refused(app, client, world):
    client.login(world.admin.email)
    response = client.post(cell_url("branch", world.north.id, "reminder_24h", "sms"), data=SAVE)
    assert response.status_code == 400
    assert row_count(app) == 0

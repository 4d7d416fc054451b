"""Bulk changes of a matrix: a row, a column or a category switched at once, previewed first,
applied all or nothing, refused where a lock forbids it, stale previews caught, audited."""
from tests.html import get, page
from tests.notifications.conftest import audit_count, matrix_cell, node_url, state, stored_cell


def bulk_url(level, entity_id, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/notifications/{level}/{entity_id}/bulk" + (f"?{query}" if query else "")


def preview(client, url):
    body = get(client, url)
    return body, {row["data-bulk-cell"]: row for row in body.find_all("tr", data_bulk_cell=True)}


def confirm(client, body, url):
    form = next(form for form in body.find_all("form") if form.get("method") == "post" and form.find("input", name="cell"))
    fields = [(field["name"], field["value"]) for field in form.find_all("input") if field["name"] != "csrf_token"]
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return client.submit(url.split("?")[0], data)


def test_whatsapp_off_for_all_reminders_at_a_branch_previews_then_applies(app, client, world):
    client.login(world.admin.email)
    url = bulk_url("branch", world.north.id, events="category:reminder", channels="whatsapp", enabled="off")
    body, rows = preview(client, url)
    assert set(rows) == {"reminder_24h-whatsapp", "reminder_2h-whatsapp", "reminder_1week-whatsapp"}
    assert rows["reminder_24h-whatsapp"].one(data_after=True)["data-after"] == "off"
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "whatsapp") is None  # a preview saves nothing
    before = audit_count(app)
    response = confirm(client, body, url)
    assert response.status_code == 302
    for event in ("reminder_24h", "reminder_2h", "reminder_1week"):
        assert stored_cell(app, "branch", world.north.id, event, "whatsapp") == ({"is_enabled": False}, False, 1)
    assert audit_count(app) == before + 3
    matrix = client.get(node_url("staff", world.ann.id)).get_data(as_text=True)
    assert state(matrix_cell(matrix, "reminder_24h", "whatsapp")) == ("off", "inherited from Branch North")
    assert state(matrix_cell(matrix, "reminder_24h", "sms"))[0] == "on"  # other channels untouched


def test_a_bulk_change_keeps_the_other_settings_of_a_cell(app, client, world, add_cell):
    add_cell("branch", world.north.id, "no_show", "email", retry_count=7)
    client.login(world.admin.email)
    url = bulk_url("branch", world.north.id, events="no_show", channels="all", enabled="off")
    body, _ = preview(client, url)
    assert confirm(client, body, url).status_code == 302
    assert stored_cell(app, "branch", world.north.id, "no_show", "email") == (
        {"is_enabled": False, "retry_count": 7}, False, 2)


def test_back_to_inherited_removes_only_the_enabled_setting(app, client, world, add_cell):
    add_cell("branch", world.north.id, "no_show", "email", is_enabled=False, retry_count=2)
    client.login(world.admin.email)
    url = bulk_url("branch", world.north.id, events="all", channels="email", enabled="inherit")
    body, rows = preview(client, url)
    assert list(rows) == ["no_show-email"]
    assert rows["no_show-email"].one(data_after=True)["data-after"] == "on"  # the catalog's default
    confirm(client, body, url)
    assert stored_cell(app, "branch", world.north.id, "no_show", "email")[0] == {"retry_count": 2}


def test_cells_locked_on_by_the_company_are_listed_and_left_alone(app, client, world, add_cell):
    add_cell("company", world.company.id, "reminder_24h", "sms", locked=True)
    client.login(world.admin.email)
    url = bulk_url("branch", world.north.id, events="reminder_24h", channels="all", enabled="off")
    body, rows = preview(client, url)
    assert rows["reminder_24h-sms"]["data-refused"] == "yes"
    assert "locked on by the company" in rows["reminder_24h-sms"].text
    assert confirm(client, body, url).status_code == 302
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms") is None
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "email")[0] == {"is_enabled": False}


def test_a_stale_preview_changes_nothing_and_shows_the_new_one(app, client, world, add_cell):
    client.login(world.admin.email)
    url = bulk_url("branch", world.north.id, events="no_show", channels="all", enabled="off")
    body, _ = preview(client, url)
    add_cell("branch", world.north.id, "no_show", "sms", is_enabled=False)  # someone else, meanwhile
    response = confirm(client, body, url)
    assert response.status_code == 409
    assert stored_cell(app, "branch", world.north.id, "no_show", "email") is None
    assert "reminder" not in page(response).one(data_bulk_preview=True).text


def test_bad_choices_are_a_400_and_only_admins_may_bulk_change(app, client, world):
    client.login(world.admin.email)
    assert client.get(bulk_url("branch", world.north.id, events="nonsense")).status_code == 400
    assert client.get(bulk_url("branch", world.north.id, channels="fax")).status_code == 400
    assert client.get(bulk_url("branch", world.north.id, enabled="maybe")).status_code == 400
    damaged = client.submit(bulk_url("branch", world.north.id), {"events": "all", "cell": "x"})
    assert damaged.status_code == 400
    client.logout()
    client.login(world.manager.email)
    assert client.submit(bulk_url("branch", world.north.id), {"events": "all"}).status_code == 403


def test_matrix_cell_links_come_from_one_prefix_and_reach_the_editor(client, world):
    client.login(world.admin.email)
    matrix = get(client, node_url("service", world.cut.id, branch=world.north.id))
    link = matrix_cell(matrix, "reminder_2h", "push").one("a", data_enabled=True)["href"]
    assert link == f"/notifications/service/{world.cut.id}/cell/reminder_2h/push?branch={world.north.id}"
    assert client.get(link).status_code == 200

"""A node's matrix: catalog defaults, each precedence level, provenance, locks below, last change,
and a fixed number of queries whatever the size of the company."""
from portal.extensions import cache, db
from portal.services.notifications.read import node_matrix
from portal.services.policies.read import node_ref
from tests.html import parse
from tests.notifications.conftest import matrix_cell, node_url, shown, state
from tests.support import QueryCounter


def cell_at(client, url, event_type, channel):
    return matrix_cell(client.get(url).get_data(as_text=True), event_type, channel)


def test_without_rows_the_matrix_shows_the_catalog_defaults(client, world):
    client.login(world.admin.email)
    page = parse(client.get(node_url("company", world.company.id)).get_data(as_text=True))
    assert len(page.find_all("td", data_cell=True)) == 13 * 4
    reminder_sms = matrix_cell(page, "reminder_24h", "sms")
    assert state(reminder_sms) == ("on", "default from the event catalog")
    assert "✓ On" in reminder_sms.text
    assert shown(reminder_sms, "retry_count") == ("3", "default", "default from the event catalog")
    assert state(matrix_cell(page, "reminder_24h", "push"))[0] == "off"  # not a default channel of the event
    assert state(matrix_cell(page, "booking_pending", "sms"))[0] == "off"


def test_branch_setting_is_inherited_by_its_services_and_staff(client, world, add_cell):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=5, fallback_channel="email")
    client.login(world.admin.email)
    branch_cell = cell_at(client, node_url("branch", world.north.id), "reminder_24h", "sms")
    assert shown(branch_cell, "retry_count") == ("5", "here", "overridden here")
    staff_cell = cell_at(client, node_url("staff", world.ann.id, service=world.cut.id), "reminder_24h", "sms")
    assert shown(staff_cell, "fallback_channel") == ("Email", "inherited", "inherited from Branch North")
    south = cell_at(client, node_url("staff", world.cy.id), "reminder_24h", "sms")  # another branch's staff
    assert shown(south, "fallback_channel")[0] == "no fallback"
    assert not [key for key in ("retry_count", "fallback_channel") if "Branch North" in shown(south, key)[2]]


def test_each_level_wins_over_the_one_above(client, world, add_cell):
    add_cell("company", world.company.id, "booking_confirmed", "email", retry_count=1)
    add_cell("branch", world.north.id, "booking_confirmed", "email", retry_count=2)
    add_cell("service", world.cut.id, "booking_confirmed", "email", retry_count=4)
    add_cell("staff", world.ann.id, "booking_confirmed", "email", template_override="ann/email")
    client.login(world.admin.email)

    def retries(url):
        return shown(cell_at(client, url, "booking_confirmed", "email"), "retry_count")

    assert retries(node_url("company", world.company.id))[0] == "1"
    assert retries(node_url("branch", world.north.id))[0] == "2"
    assert retries(node_url("staff", world.ann.id, service=world.cut.id)) == (
        "4", "inherited", "inherited from Service Cut")
    cell = cell_at(client, node_url("staff", world.ann.id, service=world.cut.id),
                   "booking_confirmed", "email")
    assert shown(cell, "template_override") == ("ann/email", "here", "overridden here")
    under_dye = retries(node_url("staff", world.ann.id, service=world.dye.id))  # the service sets nothing
    assert under_dye[0] == "2"
    assert "Branch North" in under_dye[2]


def test_service_opened_without_a_branch_inherits_from_the_company(client, world, add_cell):
    add_cell("branch", world.north.id, "cancellation", "sms", is_enabled=False)
    client.login(world.admin.email)
    under_north = client.get(node_url("service", world.cut.id, branch=world.north.id)).get_data(as_text=True)
    assert state(matrix_cell(under_north, "cancellation", "sms"))[0] == "off"
    plain = client.get(node_url("service", world.cut.id)).get_data(as_text=True)
    assert state(matrix_cell(plain, "cancellation", "sms"))[0] == "on"


def test_a_company_lock_shows_on_every_node_below(client, world, add_cell):
    add_cell("company", world.company.id, "booking_confirmed", "email", locked=True, is_enabled=True)
    add_cell("branch", world.north.id, "booking_confirmed", "email", is_enabled=False)  # before the lock
    client.login(world.admin.email)
    company_cell = cell_at(client, node_url("company", world.company.id), "booking_confirmed", "email")
    assert company_cell.one(data_lock=True)["data-lock"] == "here"
    assert "here: stays on below" in company_cell.text
    for url in (node_url("branch", world.north.id), node_url("service", world.cut.id, branch=world.north.id),
                node_url("staff", world.bob.id, service=world.cut.id), node_url("staff", world.cy.id)):
        cell = cell_at(client, url, "booking_confirmed", "email")
        lock = cell.one(data_lock=True)
        assert lock["data-lock"] == "company", url
        assert lock.spoken == "locked on by the company", url
        assert state(cell)[0] == "on", url
    north = cell_at(client, node_url("branch", world.north.id), "booking_confirmed", "email")
    assert north.one(data_ignored=True).text == (
        "Switched off at Branch North: ignored, the company locks it on.")


def test_node_and_cell_show_who_changed_them_last(client, world):
    client.login(world.admin.email)
    client.submit(f"/notifications/branch/{world.north.id}/cell/no_show/sms",
                  {"version": "0", "mode_is_enabled": "set", "value_is_enabled": "yes"})
    page = parse(client.get(node_url("branch", world.north.id)).get_data(as_text=True))
    in_matrix = page.one(id="notification-matrix").find_all(data_last_changed=True)
    node_marks = [mark for mark in page.find_all(data_last_changed=world.admin.name) if mark not in in_matrix]
    assert node_marks
    assert node_marks[0].text.startswith(f"last changed by {world.admin.name}")
    changed = matrix_cell(page, "no_show", "sms").one(data_last_changed=True)  # the cell
    assert changed["data-last-changed"] == world.admin.name
    assert matrix_cell(page, "no_show", "email").find(data_last_changed=True) is None


def test_compact_tree_links_the_path_and_the_level_below(client, world):
    client.login(world.agent.email)
    page = parse(client.get(node_url("service", world.cut.id, branch=world.north.id)).get_data(as_text=True))
    links = page.one("nav", aria_label="Hierarchy").links()
    assert f"/notifications/branch/{world.south.id}" in links  # sibling branches
    assert f"/notifications/staff/{world.ann.id}?service={world.cut.id}" in links  # doing Cut here
    cy = f"/notifications/staff/{world.cy.id}"
    assert not [link for link in page.links() if link.startswith(cy)]  # Cy works at South
    assert "Staff doing Cut" in page.text


def matrix_queries(app, world, staff, service):
    with app.test_request_context():
        ref = node_ref(world.company.id, "staff", staff.id, service_id=service.id)
        cache.clear()
        with QueryCounter(db.engine) as counter:
            matrix = node_matrix(world.company.id, ref)
        assert len(matrix.cells) == 13 * 4
        return counter.count, matrix


def test_staff_matrix_takes_a_fixed_number_of_queries_whatever_the_company_size(app, world, make, add_cell):
    add_cell("company", world.company.id, "reminder_24h", "sms", retry_count=1)
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=5)
    add_cell("service", world.cut.id, "reminder_24h", "email", is_enabled=False)
    add_cell("staff", world.ann.id, "reminder_24h", "push", is_enabled=True)
    small, matrix = matrix_queries(app, world, world.ann, world.cut)
    assert matrix.cells[("reminder_24h", "sms")].value("retry_count") == 5
    for n in range(6):  # a bigger company: more branches, staff and rows on every level
        branch = make.branch(world.company)
        member = make.staff(world.company, branch, services=[world.cut])
        for event in ("booking_confirmed", "no_show", "reminder_2h"):
            add_cell("branch", branch.id, event, "sms", retry_count=n)
            add_cell("staff", member.id, event, "email", is_enabled=False)
    big, matrix = matrix_queries(app, world, world.ann, world.cut)
    assert small == big <= 10
    assert matrix.cells[("reminder_24h", "push")].values["is_enabled"].source.level == "staff"


def test_the_matrix_page_itself_has_a_fixed_number_of_queries(app, client, world, make, add_cell):
    client.login(world.admin.email)
    url = node_url("staff", world.ann.id, service=world.cut.id)

    def page_queries():
        with app.app_context():
            cache.clear()
            engine = db.engine
        with QueryCounter(engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    small = page_queries()
    for n in range(5):
        branch = make.branch(world.company)
        make.staff(world.company, branch, services=[world.cut])
        add_cell("branch", branch.id, "reminder_2h", "sms", retry_count=n)
    assert page_queries() == small

"""A node's matrix: catalog defaults, each precedence level, provenance, locks below, last change,
and a fixed number of queries whatever the size of the company."""
from portal.extensions import cache, db
from portal.services.notifications.read import node_matrix
from portal.services.policies.read import node_ref
from tests.notifications.conftest import cell_html, node_url
from tests.support import QueryCounter


def matrix_cell(client, url, event_type, channel):
    return cell_html(client.get(url).get_data(as_text=True), event_type, channel)


def test_without_rows_the_matrix_shows_the_catalog_defaults(client, world):
    client.login(world.admin.email)
    page = client.get(node_url("company", world.company.id)).get_data(as_text=True)
    assert page.count('class="ncell ') == 13 * 4
    reminder_sms = cell_html(page, "reminder_24h", "sms")
    assert "✓ On" in reminder_sms and "Retries</dt><dd><span class=\"value\">3" in reminder_sms
    assert "default from the event catalog" in reminder_sms
    assert "✗ Off" in cell_html(page, "reminder_24h", "push")  # not a default channel of the event
    assert "✗ Off" in cell_html(page, "booking_pending", "sms")


def test_branch_setting_is_inherited_by_its_services_and_staff(client, world, add_cell):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=5, fallback_channel="email")
    client.login(world.admin.email)
    branch_cell = matrix_cell(client, node_url("branch", world.north.id), "reminder_24h", "sms")
    assert "overridden here" in branch_cell
    staff_page = client.get(node_url("staff", world.ann.id, service=world.cut.id)).get_data(as_text=True)
    staff_cell = cell_html(staff_page, "reminder_24h", "sms")
    assert "inherited from Branch North" in staff_cell and "Email" in staff_cell
    south = matrix_cell(client, node_url("staff", world.cy.id), "reminder_24h", "sms")
    assert "Branch North" not in south and "no fallback" in south  # another branch's staff


def test_each_level_wins_over_the_one_above(client, world, add_cell):
    add_cell("company", world.company.id, "booking_confirmed", "email", retry_count=1)
    add_cell("branch", world.north.id, "booking_confirmed", "email", retry_count=2)
    add_cell("service", world.cut.id, "booking_confirmed", "email", retry_count=4)
    add_cell("staff", world.ann.id, "booking_confirmed", "email", template_override="ann/email")
    client.login(world.admin.email)

    def shown(url):
        cell = matrix_cell(client, url, "booking_confirmed", "email")
        return cell.split('nvalue-retry_count">')[1].split("</div>")[0], cell

    assert "1" in shown(node_url("company", world.company.id))[0]
    assert ">2<" in shown(node_url("branch", world.north.id))[0]
    retries, cell = shown(node_url("staff", world.ann.id, service=world.cut.id))
    assert ">4<" in retries and "inherited from Service Cut" in retries
    assert "ann/email" in cell and "overridden here" in cell
    retries, _ = shown(node_url("staff", world.ann.id, service=world.dye.id))
    assert ">2<" in retries and "Branch North" in retries  # under Dye the service sets nothing


def test_service_opened_without_a_branch_inherits_from_the_company(client, world, add_cell):
    add_cell("branch", world.north.id, "cancellation", "sms", is_enabled=False)
    client.login(world.admin.email)
    under_north = client.get(node_url("service", world.cut.id, branch=world.north.id)).get_data(as_text=True)
    assert "✗ Off" in cell_html(under_north, "cancellation", "sms")
    plain = client.get(node_url("service", world.cut.id)).get_data(as_text=True)
    assert "✓ On" in cell_html(plain, "cancellation", "sms")


def test_a_company_lock_shows_on_every_node_below(client, world, add_cell):
    add_cell("company", world.company.id, "booking_confirmed", "email", locked=True, is_enabled=True)
    add_cell("branch", world.north.id, "booking_confirmed", "email", is_enabled=False)  # before the lock
    client.login(world.admin.email)
    assert "here: stays on below" in matrix_cell(client, node_url("company", world.company.id),
                                                 "booking_confirmed", "email")
    for url in (node_url("branch", world.north.id), node_url("service", world.cut.id, branch=world.north.id),
                node_url("staff", world.bob.id, service=world.cut.id), node_url("staff", world.cy.id)):
        cell = matrix_cell(client, url, "booking_confirmed", "email")
        assert "locked</span> on by the company" in cell and "✓ On" in cell, url
    north = matrix_cell(client, node_url("branch", world.north.id), "booking_confirmed", "email")
    assert "Switched off at Branch North: ignored, the company locks it on." in north


def test_node_and_cell_show_who_changed_them_last(client, world):
    client.login(world.admin.email)
    client.submit("/notifications/branch/%d/cell/no_show/sms" % world.north.id,
                  {"version": "0", "mode_is_enabled": "set", "value_is_enabled": "yes"})
    page = client.get(node_url("branch", world.north.id)).get_data(as_text=True)
    assert page.index(f"last changed by {world.admin.name}") < page.index("notification-matrix")  # the node
    assert f"last changed by {world.admin.name}" in cell_html(page, "no_show", "sms")  # the cell
    assert "last changed by" not in cell_html(page, "no_show", "email")


def test_compact_tree_links_the_path_and_the_level_below(client, world):
    client.login(world.agent.email)
    page = client.get(node_url("service", world.cut.id, branch=world.north.id)).get_data(as_text=True)
    assert f'href="/notifications/branch/{world.south.id}"' in page  # sibling branches
    assert f'href="/notifications/staff/{world.ann.id}?service={world.cut.id}"' in page  # doing Cut here
    assert f'href="/notifications/staff/{world.cy.id}' not in page  # Cy works at South
    assert "Staff doing Cut" in page


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

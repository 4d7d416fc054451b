"""The tree page resolves only the part of the tree it shows, and the same part as the whole tree."""
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.policies.presenters import FULL_TREE_UP_TO, SERVICES_UP_TO, build_tree_view
from portal.services.organisation.hierarchy import load_tree_input
from portal.services.policies.read import company_tree
from portal.services.policies.tree import node_keys, tree_shape, view_tree
from tests.html import parse
from tests.support import QueryCounter


def visible(view):
    """(level, id, cell values, hidden staff) of every node a view shows, depth first."""
    if view is None:
        return []
    shown = [(view.level, view.entity_id, tuple(c.value for c in view.cells), view.hidden_children,
              view.hidden_level, view.hidden_nodes)]
    for child in view.children:
        shown += visible(child)
    return shown


@contextmanager
def limits(up_to, services_up_to):
    from portal.policies import presenters
    kept = presenters.FULL_TREE_UP_TO, presenters.SERVICES_UP_TO
    presenters.FULL_TREE_UP_TO, presenters.SERVICES_UP_TO = up_to, services_up_to
    try:
        yield
    finally:
        presenters.FULL_TREE_UP_TO, presenters.SERVICES_UP_TO = kept


def shown_by_whole_tree(company_id, branch_id, query, up_to=FULL_TREE_UP_TO, services_up_to=SERVICES_UP_TO):
    whole = company_tree(company_id, "cancellation")
    with limits(up_to, services_up_to):
        return visible(build_tree_view("cancellation", whole.root, whole.rows, branch_id, query))


def shown_by_part(company_id, branch_id, query, up_to=FULL_TREE_UP_TO, services_up_to=SERVICES_UP_TO):
    part = view_tree(company_id, "cancellation", branch_id, query, up_to, services_up_to=services_up_to)
    with limits(up_to, services_up_to):
        return visible(build_tree_view("cancellation", part.root, part.rows, branch_id, query, part.shape))


@pytest.fixture
def rows_everywhere(world, add_row):
    add_row("company", world.company.id, {"hours_before": 24, "fee": "10.00"})
    add_row("branch", world.south.id, {"hours_before": 48})
    add_row("service", world.cut.id, {"fee_percentage": "20.00"})
    add_row("staff", world.cy.id, {"max_cancellations_per_month": 2})
    add_row("staff", world.ann.id, {"require_reason": True})


def test_a_branch_view_loads_and_resolves_only_that_branch(app, world, rows_everywhere):
    with app.app_context():
        part = view_tree(world.company.id, "cancellation", world.north.id, "", FULL_TREE_UP_TO)
        keys = {key for node in part.root.walk() for key in node.path}
    assert ("branch", world.south.id) not in keys
    assert ("staff", world.cy.id) not in keys  # South's staff member
    assert ("staff", world.cy.id) not in part.rows  # and their row was never read
    assert {("staff", world.ann.id), ("staff", world.bob.id)} <= keys


@pytest.mark.parametrize("query", ["", "ann", "CUT", "o", "nobody"])
@pytest.mark.parametrize("branch", [None, "north", "south"])
@pytest.mark.parametrize("limits", [(FULL_TREE_UP_TO, SERVICES_UP_TO),
                                    (5, SERVICES_UP_TO),  # the whole-company view stops at services
                                    (5, 4)])  # and at branches
def test_each_view_shows_what_the_whole_tree_would(app, world, rows_everywhere, query, branch, limits):
    branch_id = getattr(world, branch).id if branch else None
    with app.app_context():
        assert shown_by_part(world.company.id, branch_id, query, *limits) == \
            shown_by_whole_tree(world.company.id, branch_id, query, *limits)


def test_a_chain_with_more_services_than_a_page_lists_its_branches_with_what_lies_below(app, world):
    with app.app_context():
        shown = shown_by_part(world.company.id, None, "", 5, 4)
    assert [(level, ident) for level, ident, *_ in shown] == [
        ("company", world.company.id), ("branch", world.north.id), ("branch", world.south.id)]
    below = {ident: (children, level, nodes) for _, ident, _, children, level, nodes in shown[1:]}
    # North offers Cut (Ann, Bob) and Dye (Ann); South offers Cut (Cy)
    assert below == {world.north.id: (2, "service", 2 + 3), world.south.id: (1, "service", 1 + 1)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="aAnNbBoOcCuUtTäÄ ", min_size=1, max_size=3))
def test_a_name_search_shows_what_filtering_the_whole_tree_shows(app, world, rows_everywhere, query):
    with app.app_context():
        assert shown_by_part(world.company.id, None, query) == shown_by_whole_tree(world.company.id, None, query)


def test_the_shape_counts_the_nodes_and_the_staff_below_each_service(app, world):
    with app.app_context():
        whole = company_tree(world.company.id, "cancellation").root
        shape = tree_shape(world.company.id)
    assert shape.nodes == sum(1 for _ in whole.walk())
    assert shape.staff_below == {(node.path[1][1], node.entity_id): len(node.children)
                                 for node in whole.walk() if node.level == "service" and node.children}


def test_the_shape_counts_only_active_staff_of_services_their_branch_offers(app, make, world):
    make.staff(world.company, world.south, services=[world.dye, world.cut], name="Dee")  # South offers no Dye
    make.staff(world.company, world.north, services=[world.cut], name="Gone", is_active=False)
    other = make.company()
    elsewhere = make.branch(other)
    make.staff(other, elsewhere, services=[make.service(other, branches=[elsewhere])])
    with app.app_context():
        shape = tree_shape(world.company.id)
    assert shape.staff_below == {(world.north.id, world.cut.id): 2, (world.north.id, world.dye.id): 1,
                                 (world.south.id, world.cut.id): 2}
    assert shape.nodes == 1 + 2 + 3 + 5  # company, North and South, three offers, five staff nodes
    assert (shape.branches, shape.services_below, shape.down_to_services) == (
        2, {world.north.id: 2, world.south.id: 1}, 1 + 2 + 3)


def test_a_branch_view_costs_the_same_queries_however_many_other_branches(app, make, world):
    def branch_view_queries():
        with app.app_context(), QueryCounter(db.engine) as counter:
            view_tree(world.company.id, "cancellation", world.north.id, "", FULL_TREE_UP_TO)
        return counter.count

    before = branch_view_queries()
    for _ in range(5):
        branch = make.branch(world.company)
        service = make.service(world.company, branches=[branch])
        make.staff(world.company, branch, services=[service])
    assert branch_view_queries() == before
    with app.app_context():
        assert len(node_keys(load_tree_input(world.company.id))) > 15


def test_the_cached_tree_page_reads_no_policy_rows_and_no_hierarchy(app, client, world, rows_everywhere):
    client.login(world.admin.email)
    assert client.get("/policies/?type=cancellation").status_code == 200
    with app.app_context(), QueryCounter(db.engine) as counter:
        assert client.get("/policies/?type=cancellation").status_code == 200
    tree_tables = ("policy_configurations", "staff_services", "branch_services")
    assert not [s for s in counter.statements if any(table in s for table in tree_tables)]


@pytest.mark.parametrize(("language", "link", "note"), [
    ("en", "2 services below — show this branch", "so its services and staff are listed per branch"),
    ("de", "2 Leistungen darunter – diese Filiale anzeigen", "daher werden Leistungen und Mitarbeitende je Filiale"),
])
def test_the_page_of_a_chain_past_both_limits_lists_branches_linking_to_their_own_views(
        app, client, world, monkeypatch, language, link, note):
    from portal.policies import presenters, routes
    for module in (presenters, routes):
        monkeypatch.setattr(module, "FULL_TREE_UP_TO", 5)
        monkeypatch.setattr(module, "SERVICES_UP_TO", 4)
    client.login(world.admin.email)
    assert client.submit("/language", {"language": language, "next": "/"}).status_code == 302
    html = parse(client.get("/policies/?type=cancellation").get_data(as_text=True))
    nodes = [item["data-node"] for item in html.find_all("li", data_node=True)]
    assert nodes == [f"company-{world.company.id}", f"branch-{world.north.id}", f"branch-{world.south.id}"]
    north = html.one("li", data_node=f"branch-{world.north.id}")
    assert north.one("a", text=link)["href"].endswith(f"branch={world.north.id}")
    assert note in html.text
    branch_view = parse(client.get(f"/policies/?type=cancellation&branch={world.north.id}").get_data(as_text=True))
    assert f"staff-{world.ann.id}" in [item["data-node"] for item in branch_view.find_all("li", data_node=True)]

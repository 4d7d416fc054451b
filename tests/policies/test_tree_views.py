"""The tree page resolves only the part of the tree it shows, and the same part as the whole tree."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.policies.presenters import FULL_TREE_UP_TO, build_tree_view
from portal.services.organisation.hierarchy import load_tree_input
from portal.services.policies.read import company_tree
from portal.services.policies.tree import node_keys, tree_shape, view_tree
from tests.support import QueryCounter


def visible(view):
    """(level, id, cell values, hidden staff) of every node a view shows, depth first."""
    if view is None:
        return []
    shown = [(view.level, view.entity_id, tuple(c.value for c in view.cells), view.hidden_children)]
    for child in view.children:
        shown += visible(child)
    return shown


def shown_by_whole_tree(company_id, branch_id, query, up_to=FULL_TREE_UP_TO):
    whole = company_tree(company_id, "cancellation")
    from portal.policies import presenters
    limit, presenters.FULL_TREE_UP_TO = presenters.FULL_TREE_UP_TO, up_to
    try:
        return visible(build_tree_view("cancellation", whole.root, whole.rows, branch_id, query))
    finally:
        presenters.FULL_TREE_UP_TO = limit


def shown_by_part(company_id, branch_id, query, up_to=FULL_TREE_UP_TO):
    part = view_tree(company_id, "cancellation", branch_id, query, up_to)
    from portal.policies import presenters
    limit, presenters.FULL_TREE_UP_TO = presenters.FULL_TREE_UP_TO, up_to
    try:
        return visible(build_tree_view("cancellation", part.root, part.rows, branch_id, query, part.shape))
    finally:
        presenters.FULL_TREE_UP_TO = limit


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
@pytest.mark.parametrize("up_to", [FULL_TREE_UP_TO, 5])  # 5: the whole-company view stops at services
def test_each_view_shows_what_the_whole_tree_would(app, world, rows_everywhere, query, branch, up_to):
    branch_id = getattr(world, branch).id if branch else None
    with app.app_context():
        assert shown_by_part(world.company.id, branch_id, query, up_to) == \
            shown_by_whole_tree(world.company.id, branch_id, query, up_to)


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

"""The navigation of a node lists exactly what the whole hierarchy would, from its own small part."""
import pytest

from portal.domain.inheritance import children_plan, entity_names
from portal.extensions import db
from portal.models import Branch, Company, Service, Staff
from portal.notifications.presenters import nav_tree
from portal.services.notifications.read import Hierarchy, node_hierarchy
from portal.services.organisation.hierarchy import load_tree_input
from portal.services.policies.read import make_node_ref
from tests.support import QueryCounter


def whole_hierarchy(company_id):
    tree = load_tree_input(company_id)
    offered, performers = children_plan(tree)
    return Hierarchy(tree, offered, performers, entity_names(tree))


def every_node_ref(world):
    """Each node as the pages open it: on its shortest path and at every tree position."""
    refs = [make_node_ref(world.company.id, db.session.get(Company, world.company.id))]
    refs += [make_node_ref(world.company.id, db.session.get(Branch, b.id)) for b in (world.north, world.south)]
    for service in (world.cut, world.dye):
        entity = db.session.get(Service, service.id)
        refs += [make_node_ref(world.company.id, entity),
                 *(make_node_ref(world.company.id, entity, via_branch=b.id) for b in (world.north, world.south))]
    for member in (world.ann, world.bob, world.cy):
        entity = db.session.get(Staff, member.id)
        refs += [make_node_ref(world.company.id, entity),
                 *(make_node_ref(world.company.id, entity, via_service=s.id) for s in (world.cut, world.dye))]
    return refs


@pytest.fixture
def bigger(make, world):
    """More branches, services and staff beside the world's, so a part is visibly smaller."""
    for n in range(3):
        branch = make.branch(world.company, name=f"Extra {n}")
        service = make.service(world.company, branches=[branch, world.north], name=f"Extra service {n}")
        make.staff(world.company, branch, services=[service, world.cut], name=f"Extra staff {n}")
    return world


def test_every_node_lists_what_the_whole_hierarchy_lists(app, bigger):
    with app.app_context():
        whole = whole_hierarchy(bigger.company.id)
        for ref in every_node_ref(bigger):
            assert nav_tree(node_hierarchy(bigger.company.id, ref), ref) == nav_tree(whole, ref), ref


def test_a_staff_node_reads_only_its_branch_and_service(app, bigger):
    with app.app_context():
        ref = make_node_ref(bigger.company.id, db.session.get(Staff, bigger.ann.id), via_service=bigger.cut.id)
        part = node_hierarchy(bigger.company.id, ref).tree
        assert {m.id for m in part.staff} == {bigger.ann.id, bigger.bob.id}  # Cut at North, nobody else
        assert {branch_id for branch_id, _ in part.branch_services} == {bigger.north.id}
        assert len(part.branches) == 5  # every branch is listed, by name only


def test_the_cached_navigation_reads_no_hierarchy(app, client, bigger):
    client.login(bigger.admin.email)
    url = f"/notifications/staff/{bigger.ann.id}?service={bigger.cut.id}"
    assert client.get(url).status_code == 200
    with app.app_context(), QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    assert not [s for s in counter.statements if "staff_services" in s or "branch_services" in s]

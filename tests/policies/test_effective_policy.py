"""effective_policy() on the models, provenance through the service layer, and the cache."""
import pytest

from portal.extensions import db
from portal.models import Branch, Company, Service, Staff
from portal.services.policies.read import company_tree
from tests.support import QueryCounter


def effective(app, model, ident, policy_type="cancellation"):
    with app.app_context():
        return db.session.get(model, ident).effective_policy(policy_type)


def test_each_level_wins_over_the_one_above(app, world, add_row):
    add_row("company", world.company.id, {"hours_before": 24, "fee": "10.00"})
    assert effective(app, Staff, world.ann.id) == {"hours_before": 24, "fee": "10.00"}
    add_row("branch", world.north.id, {"hours_before": 48})
    assert effective(app, Branch, world.north.id) == {"hours_before": 48, "fee": "10.00"}
    assert effective(app, Staff, world.ann.id)["hours_before"] == 48
    add_row("staff", world.ann.id, {"hours_before": 2})
    assert effective(app, Staff, world.ann.id)["hours_before"] == 2
    assert effective(app, Staff, world.bob.id)["hours_before"] == 48  # same branch, no own row
    assert effective(app, Company, world.company.id)["hours_before"] == 24


def test_service_row_applies_to_the_service_everywhere(app, world, add_row):
    add_row("company", world.company.id, {"fee": "10.00"})
    add_row("service", world.cut.id, {"fee": "5.00"})
    assert effective(app, Service, world.cut.id) == {"fee": "5.00"}
    with app.app_context():
        root = company_tree(world.company.id, "cancellation").root
        cut_nodes = [n for n in root.walk() if n.level == "service" and n.entity_id == world.cut.id]
        assert len(cut_nodes) == 2  # offered at North and South
        assert all(n.resolved["fee"].value == "5.00" for n in cut_nodes)
        staff_under_cut = [c for n in cut_nodes for c in n.children]
        assert staff_under_cut
        assert all(c.resolved["fee"].source.level == "service" for c in staff_under_cut)


def test_no_rows_means_none_except_for_callback_defaults(app, world):
    assert effective(app, Staff, world.ann.id) is None
    assert effective(app, Staff, world.ann.id, "callback")["sla_minutes_urgent"] == 60


def test_unlimited_lifts_the_company_limit(app, world, add_row):
    add_row("company", world.company.id, {"max_cancellations_per_month": 3})
    add_row("staff", world.ann.id, {"max_cancellations_per_month": "unlimited"})
    assert effective(app, Staff, world.ann.id)["max_cancellations_per_month"] == "unlimited"
    assert effective(app, Staff, world.bob.id)["max_cancellations_per_month"] == 3


def test_unknown_policy_type_is_refused(app, world):
    with pytest.raises(ValueError):
        effective(app, Staff, world.ann.id, "parking")


def test_whole_tree_uses_the_same_number_of_queries_for_any_size(app, make, world):
    with app.app_context(), QueryCounter(db.engine) as small:
        company_tree(world.company.id, "cancellation")
    big = make.world()
    for _ in range(6):  # grow the second company well past the first
        branch = make.branch(big.company)
        service = make.service(big.company, branches=[branch, big.north])
        for _ in range(3):
            make.staff(big.company, branch, services=[service, big.cut])
    with app.app_context(), QueryCounter(db.engine) as large:
        root = company_tree(big.company.id, "cancellation").root
        assert sum(1 for _ in root.walk()) > 40
    assert small.count == large.count <= 8

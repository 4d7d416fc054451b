"""The policy simulator: the same engine as real decisions, on any node, for any notice."""
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.domain import decisions
from portal.services.appointments.read import find_appointment, find_customer
from portal.services.modifications import policy as modifications_policy
from portal.services.modifications import simulator as modifications_simulator
from portal.services.modifications.policy import propose
from portal.services.modifications.simulator import Scenario, simulate
from portal.services.policies.read import node_ref
from portal.services.scope import Scope
from tests.appointments.support import now_seconds
from tests.html import parse


def simulator(client, **args):
    response = client.get("/policies/simulator", query_string=args)
    return response.status_code, response.get_data(as_text=True)


def test_simulator_and_real_cancellations_share_one_engine():
    assert modifications_simulator.decide is decisions.decide
    assert modifications_policy.decide is decisions.decide


def test_the_simulated_decision_equals_the_real_one_for_the_same_appointment(app, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24, "fee": "15.00",
                                                   "max_cancellations_per_month": 2})
    bookings.policy("service", world.cut.id, {"fee_tiers": [{"min_hours": 48, "fee": "0.00"},
                                                            {"min_hours": 12, "fee_percentage": "50.00"}]})
    bookings.policy("staff", world.ann.id, {"hours_before": 6})
    customer = bookings.customer()
    cancelled = bookings.appointment(customer, status="cancelled")
    bookings.modification(cancelled, at=now_seconds() - timedelta(days=3))
    appointment = bookings.appointment(customer, hours_ahead=20, price="40.00")
    with app.app_context():
        now = now_seconds()
        scope = Scope(world.company.id, None, None)
        real = propose(find_appointment(scope, appointment.id), "cancel", now).decision
        node = node_ref(world.company.id, "staff", world.ann.id, service_id=world.cut.id)
        scenario = Scenario("cancel", Decimal(20), Decimal("40.00"), find_customer(scope, customer.id))
        simulated = simulate(world.company.id, node, scenario, now).decision
    assert simulated == real
    assert real.allowed
    assert real.fee == Decimal("20.00")
    assert real.rolling_count == 1


def test_the_tree_position_decides_which_rows_apply(client, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24})
    bookings.policy("service", world.dye.id, {"hours_before": 72})
    client.login(world.admin.email)
    _, plain = simulator(client, level="staff", entity_id=world.ann.id, hours="30")
    _, via_dye = simulator(client, level="staff", entity_id=world.ann.id, service=world.dye.id, hours="30")
    assert "✓ Allowed by the rules" in plain
    assert "✗ Denied by the rules" in via_dye
    assert "needs 72 h notice; 30 h remain (Service Dye)" in via_dye
    assert "North › Dye › Ann" in via_dye
    _, picked = simulator(client, staff=world.ann.id, service=world.dye.id, hours="30")  # the pickers
    assert "(Service Dye)" in picked


@pytest.mark.parametrize(("hours", "allowed"), [("24", True), ("23.99", False), ("-1", False)])
def test_notice_at_and_under_the_boundary(client, world, bookings, hours, allowed):
    bookings.policy("branch", world.north.id, {"hours_before": 24})
    client.login(world.manager.email)
    status, body = simulator(client, level="branch", entity_id=world.north.id, hours=hours)
    assert status == 200
    decision = parse(body).one(data_decision=True)
    assert (decision["data-decision"] == "allowed") is allowed
    assert ("✓ Allowed by the rules" in decision.text) is allowed


def test_a_picked_customer_brings_their_real_counts(client, world, bookings):
    bookings.policy("company", world.company.id, {"max_cancellations_per_month": 1})
    customer = bookings.customer(name="Quentin Quota")
    cancelled = bookings.appointment(customer, status="cancelled")
    bookings.modification(cancelled, at=now_seconds() - timedelta(days=1))
    client.login(world.admin.email)
    _, without = simulator(client, hours="48")
    assert "✓ Allowed by the rules" in without
    _, with_customer = simulator(client, hours="48", customer=f"#{customer.id}")
    assert "1 cancellation by this customer in the last 30 days; the limit is 1" in with_customer
    _, by_name = simulator(client, hours="48", customer="quentin")
    assert "Quentin Quota" in by_name
    assert "✗ Denied" in by_name


def test_a_typed_rolling_count_is_used_without_a_customer(client, world, bookings):
    bookings.policy("company", world.company.id, {"max_reschedules_per_month": 3}, policy_type="reschedule")
    client.login(world.admin.email)
    _, body = simulator(client, scenario="reschedule", hours="48", rolling="3")
    assert "3 reschedules by this customer in the last 30 days; the limit is 3" in body


def test_series_scenarios_use_the_recurring_rules(client, world, bookings):
    bookings.policy("company", world.company.id, {"allow_partial_cancel": False,
                                                   "require_full_series_notice": True,
                                                   "full_series_hours_before": 72}, policy_type="recurring")
    client.login(world.admin.email)
    _, single = simulator(client, scenario="cancel_single_of_series", hours="100")
    assert "Single appointments of this series cannot be cancelled" in single
    _, whole = simulator(client, scenario="cancel_whole_series", hours="50")
    assert "Cancelling the whole series needs 72 h notice; 50 h remain" in whole


def test_several_matching_customers_are_offered_to_pick_from(client, world, bookings):
    for name in ("Mia Match", "Max Match"):
        bookings.customer(name=name)
    client.login(world.admin.email)
    status, body = simulator(client, hours="5", customer="match")
    assert status == 400
    assert "Several customers match" in body
    assert "Mia Match" in body
    assert "Max Match" in body


def test_a_manager_cannot_pick_a_customer_of_another_branch(client, world, bookings):
    customer = bookings.customer(name="Olga Elsewhere")
    bookings.appointment(customer, branch=world.south, staff="cy")
    client.login(world.manager.email)
    status, body = simulator(client, hours="5", customer=f"#{customer.id}")
    assert status == 400
    assert "No customer matches" in body


def test_agents_may_simulate_but_not_look_up_customers(client, world, bookings):
    customer = bookings.customer()
    client.login(world.agent.email)
    status, body = simulator(client, hours="5")
    assert status == 200
    assert not parse(body).find_all(name="customer")
    assert simulator(client, hours="5", customer=f"#{customer.id}")[0] == 403


@pytest.mark.parametrize(("args", "message"), [
    ({"hours": "soon"}, "Hours of notice must be a number"),
    ({"hours": ""}, "Enter the hours of notice"),
    ({"hours": "99999"}, "within a year"),
    ({"hours": "5", "price": "-3"}, "The price must be between 0"),
    ({"hours": "5", "scenario": "delete"}, "Not a valid choice"),
    ({"hours": "5", "rolling": "-1"}, "Enter a whole number from 0"),
])
def test_bad_input_gets_a_message_and_a_400(client, world, args, message):
    client.login(world.admin.email)
    status, body = simulator(client, **args)
    assert status == 400
    assert message in body


def test_another_companys_node_is_404(client, make, world):
    stranger = make.world()
    client.login(world.admin.email)
    assert simulator(client, level="branch", entity_id=stranger.north.id)[0] == 404
    assert simulator(client, level="staff", entity_id=stranger.ann.id)[0] == 404


def test_tree_and_node_pages_link_to_the_simulator(client, world):
    client.login(world.manager.email)
    assert b'href="/policies/simulator"' in client.get("/policies/").data
    node_url = f"/policies/cancellation/staff/{world.ann.id}?service={world.cut.id}"
    node_page = client.get(node_url).get_data(as_text=True)
    simulate = f"/policies/simulator?level=staff&amp;entity_id={world.ann.id}&amp;service={world.cut.id}"
    assert simulate in node_page

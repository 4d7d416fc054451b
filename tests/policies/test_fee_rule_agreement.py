"""One fee rule, one implementation: for generated fee settings on the four levels and generated
appointments, the decision engine, the simulator page, the cancel preview of a real appointment
and the tree's "fee rule" line all agree (DESIGN §3: pages, simulator and API share the engine)."""
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.domain.decisions import CANCEL, ModificationRequest, Occurrence, decide, fee_rule
from portal.domain.policies import LevelRow, resolve_with_set_aside
from portal.domain.policy_schema import validate_config
from portal.extensions import db
from portal.models import Appointment, PolicyConfiguration
from tests.appointments.support import now_seconds
from tests.html import get

money = st.decimals(min_value=0, max_value=200, places=2).map(str)
percentage = st.decimals(min_value=0, max_value=100, places=2).map(str)
tiers = st.lists(st.tuples(st.integers(0, 96), st.one_of(
    money.map(lambda amount: ("fee", amount)), percentage.map(lambda share: ("fee_percentage", share)))),
    min_size=1, max_size=4, unique_by=lambda pair: pair[0]).map(
    lambda pairs: [{"min_hours": hours, kind: amount} for hours, (kind, amount) in pairs])
fee_settings = st.fixed_dictionaries({}, optional={"fee": money, "fee_percentage": percentage, "fee_tiers": tiers})
LEVELS = ("company", "branch", "service", "staff")


def _store(app, world, configs: dict) -> list[LevelRow]:
    """Replace the company's cancellation rows by `configs` (level -> raw settings)."""
    ids = {"company": world.company.id, "branch": world.north.id, "service": world.cut.id, "staff": world.ann.id}
    names = {"company": world.company.name, "branch": "North", "service": "Cut", "staff": "Ann"}
    rows = []
    with app.app_context():
        for old in db.session.scalars(select(PolicyConfiguration)):
            db.session.delete(old)  # through the ORM: the flush bumps the cache generation
        db.session.flush()
        for level, raw in configs.items():
            config, errors = validate_config("cancellation", raw)
            assert not errors
            if config:
                db.session.add(PolicyConfiguration(company_id=world.company.id, configurable_type=level,
                                                   configurable_id=ids[level], policy_type="cancellation",
                                                   config=config))
                rows.append(LevelRow(level, ids[level], names[level], config))
        db.session.commit()
    return rows


def _appointment(app, world, customer, hours: float, price: str | None):
    with app.app_context():
        starts = now_seconds() + timedelta(hours=hours)
        appointment = Appointment(company_id=world.company.id, branch_id=world.north.id,
                                  service_id=world.cut.id, staff_id=world.ann.id, customer_id=customer.id,
                                  starts_at=starts, ends_at=starts + timedelta(minutes=30),
                                  price=Decimal(price) if price else None, status="scheduled")
        db.session.add(appointment)
        db.session.commit()
        return appointment.id, starts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs=st.fixed_dictionaries({}, optional=dict.fromkeys(LEVELS, fee_settings)),
       # half-hour offsets keep the notice clear of whole-hour tier boundaries while the requests run
       hours=st.integers(-48, 120).map(lambda whole: whole + 0.5),
       price=st.one_of(st.none(), money))
def test_engine_simulator_pages_and_tree_agree_on_the_fee(app, client, world, make, configs, hours, price):
    rows = _store(app, world, configs)
    customer = make.customer(world.company)
    appointment_id, starts = _appointment(app, world, customer, hours, price)
    client.login(world.admin.email)

    resolved, set_aside = resolve_with_set_aside("cancellation", rows)
    now = now_seconds()
    expected = decide(ModificationRequest(CANCEL, Occurrence(starts, Decimal(price) if price else None)),
                      now, resolved).fee
    rule = fee_rule(resolved, set_aside)

    preview = get(client, f"/appointments/{appointment_id}/cancel")
    assert Decimal(preview.one(data_fee=True)["data-fee"]) == expected

    simulated = get(client, "/policies/simulator", query_string={
        "level": "staff", "entity_id": world.ann.id, "service": world.cut.id, "scenario": "cancel",
        "hours": str(hours), "price": price or ""})
    assert Decimal(simulated.one(data_fee=True)["data-fee"]) == expected

    tree = get(client, "/policies/", query_string={"type": "cancellation", "branch": world.north.id})
    staff_node = tree.one("li", data_node=f"service-{world.cut.id}").one("li", data_node=f"staff-{world.ann.id}")
    line = staff_node.one(data_fee_rule=True)
    assert line["data-fee-rule"] == rule.kind
    source = rule.source and ("Company" if rule.source.level == "company" else rule.source.label)
    where = "" if rule.source is None else ("set here" if rule.source.level == "staff"
                                            else f"inherited from {source}")
    assert line["data-fee-where"] == where
    assert len(staff_node.find_all(data_fee_unused=True)) == len(rule.not_used)

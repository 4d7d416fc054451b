"""One rule, one implementation: the API's decision for a synced appointment equals the policy
simulator's for the same path, notice and price, for generated policies on every level."""

from datetime import UTC, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.api import decisions as api_decisions
from portal.extensions import db
from portal.models import PolicyConfiguration
from portal.services.modifications.simulator import Scenario, simulate
from portal.services.policies.read import node_ref
from tests.api.support import call, name_externally, token_for
from tests.appointments.support import now_seconds

money = st.decimals(min_value=0, max_value=200, places=2).map(lambda d: f"{d:.2f}")
tier = st.fixed_dictionaries({"min_hours": st.integers(0, 96)}).flatmap(
    lambda t: st.one_of(
        st.builds(lambda fee: {**t, "fee": fee}, money),
        st.builds(lambda pct: {**t, "fee_percentage": pct}, st.integers(0, 100).map(lambda p: f"{p}.00")),
    )
)
policy = st.fixed_dictionaries(
    {},
    optional={
        "hours_before": st.integers(0, 96),
        "fee": money,
        "fee_percentage": st.integers(0, 100).map(lambda p: f"{p}.00"),
        "fee_tiers": st.lists(tier, min_size=1, max_size=3, unique_by=lambda t: t["min_hours"]).map(
            lambda tiers: sorted(tiers, key=lambda t: -t["min_hours"])
        ),
    },
)
LEVELS = ("company", "branch", "service", "staff")


def set_policies(app, world, policy_type, configs):
    ids = {
        "company": world.company.id,
        "branch": world.north.id,
        "service": world.cut.id,
        "staff": world.ann.id,
    }
    with app.app_context():
        # Through the ORM, as the portal changes policies: the flush retires cached rows.
        for row in db.session.scalars(select(PolicyConfiguration)):
            db.session.delete(row)
        db.session.flush()
        for level, config in zip(LEVELS, configs, strict=True):
            if config:
                db.session.add(
                    PolicyConfiguration(
                        company_id=world.company.id,
                        configurable_type=level,
                        configurable_id=ids[level],
                        policy_type=policy_type,
                        config=config,
                    )
                )
        db.session.commit()



def test_api_decisions_equal_the_simulator(app, client, world, monkeypatch):
    token = token_for(app, world)
    name_externally(app, world)
    now = now_seconds()
    monkeypatch.setattr(api_decisions, "utcnow", lambda: now)
    counter = iter(range(10**6))

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        action=st.sampled_from(["cancel", "reschedule"]),
        configs=st.tuples(*[st.one_of(st.none(), policy)] * 4),
        hours=st.decimals(min_value=-10, max_value=150, places=2),
        price=st.one_of(st.none(), money),
    )
    def same_decision(action, configs, hours, price):
        set_policies(app, world, "cancellation" if action == "cancel" else "reschedule", configs)
        starts_at = now + timedelta(seconds=int(hours * 3600))
        external = f"prop-{next(counter)}"
        synced = call(
            client,
            "PUT",
            f"/api/v1/sync/appointments/{external}",
            token,
            {
                "branch": "north",
                "service": "cut",
                "staff": "ann",
                "customer": "prop-customer",
                "starts_at": starts_at.replace(tzinfo=UTC).isoformat(),
                "ends_at": (starts_at + timedelta(hours=1)).replace(tzinfo=UTC).isoformat(),
                "price": price,
            },
        )
        assert synced.status_code == 201, synced.get_json()
        body = {"action": action}
        if action == "reschedule":
            body["new_starts_at"] = (now + timedelta(days=400)).replace(tzinfo=UTC).isoformat()
        answer = call(client, "POST", f"/api/v1/appointments/{external}/decisions", token, body)
        assert answer.status_code == 200, answer.get_json()
        got = answer.get_json()
        with app.app_context():
            node = node_ref(world.company.id, "staff", world.ann.id, service_id=world.cut.id)
            expected = simulate(
                world.company.id, node, Scenario(action, hours, Decimal(price) if price else None), now
            ).decision
        assert got["allowed"] == expected.allowed
        assert got["reasons"] == list(expected.reasons)
        assert Decimal(got["fee"]) == expected.fee
        assert Decimal(got["hours_notice"]) == expected.hours_notice
        assert got["fee_rule"] == expected.fee_rule
        assert [(r["key"], r["source"]) for r in got["rules"]] == [(r.key, r.source) for r in expected.rules]

    call(client, "PUT", "/api/v1/sync/customers/prop-customer", token, {"name": "Paula Property"})
    same_decision()

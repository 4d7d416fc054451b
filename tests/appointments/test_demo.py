"""The demo company's past modifications: decided by the real engine, deterministic, seeded once."""
from sqlalchemy import func, select

from portal.demo.modifications import seed_modifications
from portal.demo.seed import seed_demo
from portal.extensions import db
from portal.models import AppointmentModification
from tests.conftest import KEEP_TABLES


def records(app):
    with app.app_context():
        model = AppointmentModification
        ordered = select(model).order_by(model.created_at, model.id)
        return [(m.modification_type, m.within_policy, m.fee_charged, bool(m.meta.get("fee_waived")),
                 m.reason, m.meta["hours_notice"], tuple(c["passed"] for c in m.meta["checks"]))
                for m in db.session.scalars(ordered)]


def test_demo_has_modifications_in_and_out_of_policy_with_fees_and_waivers(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    seeded = records(app)
    assert len(seeded) >= 10
    assert {within for _, within, *_ in seeded} == {True, False}
    assert {kind for kind, *_ in seeded} == {"cancel", "reschedule"}
    assert any(fee > 0 for _, _, fee, *_ in seeded)
    assert any(waived for *_, waived, _, _, _ in seeded)
    for _, within, fee, waived, reason, _, passed in seeded:
        assert within == all(passed)  # recorded as the engine decided
        assert reason  # the demo company's rules require a reason
        assert not (waived and fee)  # a waived fee is not charged
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert records(app) == seeded  # seeding again adds nothing


def test_seeding_modifications_twice_adds_nothing(app):
    with app.app_context():
        company, _ = seed_demo()
        assert seed_modifications(company, company.created_at) == 0
        db.session.commit()
        assert db.session.scalar(select(func.count(AppointmentModification.id))) == len(records(app))


def test_demo_modifications_are_deterministic(app):
    from datetime import datetime

    now = datetime(2026, 6, 1, 9, 0)

    def seeded_at_fixed_time():
        with app.app_context():
            seed_demo(now)
        result = records(app)
        with app.app_context():  # wipe as the suite does between tests (ids keep counting up)
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in KEEP_TABLES:
                    db.session.execute(table.delete())
            db.session.commit()
        return result

    first = seeded_at_fixed_time()
    assert first
    assert seeded_at_fixed_time() == first

"""`flask callbacks sweep`: sla_breach escalations, expiry, idempotence, what it prints."""
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.extensions import db
from portal.models import CallbackEscalation, utcnow
from tests.callbacks.support import add_callback, add_escalation, escalations, load, set_callback_policy


def sweep(app):
    result = app.test_cli_runner().invoke(args=["callbacks", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def test_overdue_open_callbacks_get_one_sla_breach_escalation(app, world):
    overdue = [add_callback(app, world, status=s, minutes_left=-10, assignee=world.bob if s != "pending" else None)
               for s in ("pending", "assigned", "contacted")]
    on_time = add_callback(app, world, minutes_left=10)
    closed = add_callback(app, world, status="completed", minutes_left=-10)
    output = sweep(app)
    for callback in overdue:
        [escalation] = escalations(app, callback.id)
        assert escalation.escalation_reason == "sla_breach"
        assert escalation.resolved_at is None
        assert f"escalated #{callback.id} Test Customer (sla_breach, overdue by 10 min)" in output
    assert escalations(app, on_time.id) == []
    assert escalations(app, closed.id) == []
    assert "3 escalated (sla_breach), 0 expired, 0 already escalated." in output


def test_a_second_sweep_changes_nothing(app, world):
    callback = add_callback(app, world, minutes_left=-10)
    sweep(app)
    output = sweep(app)
    assert len(escalations(app, callback.id)) == 1
    assert "0 escalated (sla_breach), 0 expired, 1 already escalated." in output
    assert load(app, callback.id).version == 1  # an escalation does not change the callback itself


def test_a_resolved_breach_is_raised_again_if_the_callback_is_still_overdue(app, world):
    callback = add_callback(app, world, minutes_left=-10)
    add_escalation(app, callback, "sla_breach", resolved=True)
    add_escalation(app, callback, "manual_escalation")  # another reason does not count
    sweep(app)
    breaches = [e for e in escalations(app, callback.id) if e.escalation_reason == "sla_breach"]
    assert [e.resolved_at is None for e in breaches] == [False, True]


def test_callbacks_expire_after_expire_after_hours_past_their_deadline(app, world):
    set_callback_policy(app, world, {"expire_after_hours": 2})
    stale = add_callback(app, world, minutes_left=-121, status="assigned", assignee=world.bob)
    recent = add_callback(app, world, minutes_left=-119)
    output = sweep(app)
    after = load(app, stale.id)
    assert (after.status, after.version) == ("expired", 2)
    assert escalations(app, stale.id) == []  # expired is closed: no breach escalation
    assert load(app, recent.id).status == "pending"
    assert len(escalations(app, recent.id)) == 1
    assert f"expired #{stale.id} Test Customer (2 h 1 min past its deadline)" in output
    assert "1 escalated (sla_breach), 1 expired" in output


def test_without_expire_after_hours_nothing_ever_expires(app, world):
    callback = add_callback(app, world, minutes_left=-60 * 24 * 30)
    sweep(app)
    assert load(app, callback.id).status == "pending"


def test_a_branch_can_lift_the_company_expiry(app, world):
    set_callback_policy(app, world, {"expire_after_hours": 1})
    set_callback_policy(app, world, {"expire_after_hours": "unlimited"}, level="branch", entity_id=world.north.id)
    north = add_callback(app, world, branch=world.north, minutes_left=-180)
    south = add_callback(app, world, branch=world.south, minutes_left=-180)
    sweep(app)
    assert (load(app, north.id).status, load(app, south.id).status) == ("pending", "expired")


def test_the_sweep_covers_every_company(app, make, world):
    other = make.world()
    mine, theirs = add_callback(app, world, minutes_left=-5), add_callback(app, other, branch=other.north, minutes_left=-5)
    sweep(app)
    for callback in (mine, theirs):
        [escalation] = escalations(app, callback.id)
        assert escalation.company_id == callback.company_id


def test_the_database_refuses_a_second_unresolved_escalation_of_a_reason(app, world):
    callback = add_callback(app, world)
    add_escalation(app, callback, "sla_breach")
    with app.app_context():
        db.session.add(CallbackEscalation(company_id=callback.company_id, callback_request_id=callback.id,
                                          escalation_reason="sla_breach", escalated_at=utcnow()))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_database_refuses_an_unknown_reason_and_a_marker_out_of_step(app, world):
    callback = add_callback(app, world)
    rows = (
        {"escalation_reason": "felt like it"},
        {"escalation_reason": "sla_breach", "resolved_at": utcnow(), "open_marker": True},
    )
    with app.app_context():
        for row in rows:
            db.session.add(CallbackEscalation(company_id=callback.company_id, callback_request_id=callback.id,
                                              escalated_at=utcnow() - timedelta(minutes=1), **row))
            with pytest.raises((IntegrityError, OperationalError)):  # MariaDB: "CONSTRAINT … failed"
                db.session.commit()
            db.session.rollback()


def test_a_callback_closed_while_the_sweep_runs_is_not_escalated(app, world, monkeypatch):
    from portal.models import CallbackRequest
    from portal.services.callbacks import sweep as callbacks_sweep

    callback = add_callback(app, world, minutes_left=-10)
    looked = callbacks_sweep._overdue

    def completed_right_after_the_sweep_looked(company_id, now):
        rows = looked(company_id, now)
        db.session.get(CallbackRequest, callback.id).status = "completed"  # an agent, a moment later
        db.session.commit()
        return rows

    monkeypatch.setattr(callbacks_sweep, "_overdue", completed_right_after_the_sweep_looked)
    output = sweep(app)
    assert escalations(app, callback.id) == []
    assert "0 escalated" in output

"""Races on MariaDB: real threads, each with its own app context, session and connection.

8 agents claim (or complete) the same callback at the same instant, 50 rounds each: exactly one
wins every time and the others are told who did. Two sweeps at once raise exactly one sla_breach
escalation per overdue callback.
"""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import CallbackEscalation, CallbackRequest, User, utcnow
from portal.services.callbacks import actions as callbacks_actions
from portal.services.callbacks.sweep import sweep
from tests.callbacks.support import add_callback, load

THREADS, ROUNDS = 8, 50


def at_once(app, count, prepare, act):
    """Run `act(prepared)` in `count` threads released together; their results, in order."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(index):
        with app.app_context():
            try:
                prepared = prepare(index)
                barrier.wait(timeout=30)
                results[index] = act(prepared)
            except Exception as exc:  # reported below: a thread must never fail silently
                errors.append(exc)
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


@pytest.fixture
def agents(make, world):
    """Eight agents, each with their own staff record."""
    return [make.user(world.company, "agent", staff=make.staff(world.company, world.north, name=f"Agent {n}"))
            for n in range(THREADS)]


def race(app, agents, callback_id, action):
    def prepare(index):
        # Everyone reads the callback first, as a person looking at the page would.
        return (db.session.get(User, agents[index].id), db.session.get(CallbackRequest, callback_id))

    def act(prepared):
        user, callback = prepared
        if action == "claim":
            return callbacks_actions.claim(user, callback, callback.version, utcnow())
        return callbacks_actions.complete(user, callback, callback.version, utcnow())

    return at_once(app, THREADS, prepare, act)


def test_eight_agents_claim_at_once_and_exactly_one_wins_every_round(app, mariadb, world, agents):
    for round_no in range(ROUNDS):
        callback = add_callback(app, world)
        outcomes = race(app, agents, callback.id, "claim")
        winners = [o for o in outcomes if o.ok]
        assert len(winners) == 1, f"round {round_no}: {[o.message for o in outcomes]}"
        after = load(app, callback.id)
        assert (after.status, after.version) == ("assigned", 2)
        winner = next(a for a in agents if a.staff_id == after.assigned_to)
        for loser in (o for o in outcomes if not o.ok):
            assert loser.status == 409
            assert f"{winner.name} claimed this callback" in loser.message, loser.message


def test_eight_agents_complete_at_once_and_exactly_one_wins_every_round(app, mariadb, world, agents):
    for round_no in range(ROUNDS):
        callback = add_callback(app, world, status="contacted", assignee=world.bob)
        outcomes = race(app, agents, callback.id, "complete")
        assert sum(o.ok for o in outcomes) == 1, f"round {round_no}: {[o.message for o in outcomes]}"
        assert all("completed this callback" in o.message for o in outcomes if not o.ok)
        after = load(app, callback.id)
        assert (after.status, after.version) == ("completed", 2)


def test_two_sweeps_at_once_raise_exactly_one_sla_breach_per_overdue_callback(app, mariadb, world):
    for round_no in range(5):
        overdue = [add_callback(app, world, minutes_left=-5 - n, status="pending" if n % 2 else "assigned",
                                assignee=None if n % 2 else world.bob).id for n in range(40)]
        add_callback(app, world, minutes_left=30)  # not overdue: never escalated
        now = utcnow() + timedelta(seconds=1)
        reports = at_once(app, 2, lambda index: None, lambda _, now=now: sweep(now))
        with app.app_context():
            per_callback = dict(db.session.execute(
                select(CallbackEscalation.callback_request_id, func.count())
                .where(CallbackEscalation.escalation_reason == "sla_breach",
                       CallbackEscalation.callback_request_id.in_(overdue))
                .group_by(CallbackEscalation.callback_request_id)).all())
        assert per_callback == dict.fromkeys(overdue, 1), f"round {round_no}"
        raised = [callback_id for report in reports for callback_id in report.escalated]
        assert sorted(raised) == sorted(overdue)  # each raised by exactly one of the two sweeps


def test_eight_requests_from_one_phone_at_once_make_one_callback(app, mariadb, world):
    """Intake is serialised per company, so simultaneous repeat calls merge instead of duplicating."""
    from portal.models import Company
    from portal.services.callbacks.intake import create_or_merge, parse_intake

    def prepare(index):
        company = db.session.get(Company, world.company.id)
        intake, errors = parse_intake(company, {
            "customer_name": "Lea", "phone_number": "030 7654321", "branch_id": world.north.id,
            "priority": ("normal", "high", "urgent", "normal")[index % 4], "notes": f"call {index}"})
        assert errors == {}
        return intake

    stored = at_once(app, THREADS, prepare,
                     lambda intake: create_or_merge(world.company.id, intake, None, "API", utcnow()))
    assert len({s.callback_id for s in stored}) == 1
    assert sorted(s.merged for s in stored) == [False] + [True] * (THREADS - 1)
    callback = load(app, stored[0].callback_id)
    assert callback.priority == "urgent"  # the highest of the eight, whatever order they came in
    assert all(f"call {n}" in callback.notes for n in range(THREADS))


def test_eight_agents_pressing_next_callback_at_once_each_get_a_different_one(app, mariadb, world, agents):
    """"Next callback" is the claim's conditional UPDATE: with as many pending callbacks as
    agents, eight presses at the same instant hand out each callback exactly once."""
    for round_no in range(10):
        ids = [add_callback(app, world, minutes_left=10 + n).id for n in range(THREADS)]

        def prepare(index):
            return db.session.get(User, agents[index].id)

        def press(user):
            callback, outcome = callbacks_actions.claim_next(user, utcnow(), tries=THREADS)
            return (callback.id if callback else None), outcome

        outcomes = at_once(app, THREADS, prepare, press)
        claimed = [ident for ident, outcome in outcomes if outcome.ok]
        assert sorted(claimed) == sorted(ids), f"round {round_no}: {[o.message for _, o in outcomes]}"
        owners = {load(app, ident).assigned_to for ident in ids}
        assert len(owners) == THREADS  # nobody got two, nobody none


def test_intake_waits_only_for_the_same_phone_never_for_another(app, mariadb, world):
    """While one intake holds the lock of a phone, an intake of another phone of the same company
    finishes at once; one of the same phone waits until the first has committed, then merges."""
    from portal.models import Company
    from portal.services.callbacks.intake import create_or_merge, parse_intake
    from portal.services.callbacks.phone_lock import lock_phone

    holding, release = threading.Event(), threading.Event()

    def hold_lock():
        with app.app_context():
            lock_phone(world.company.id, "+49301111111", utcnow())
            holding.set()
            release.wait(timeout=30)
            db.session.commit()
            db.session.remove()

    def intake(phone):
        with app.app_context():
            company = db.session.get(Company, world.company.id)
            checked, errors = parse_intake(company, {"customer_name": "Lea", "phone_number": phone,
                                                     "branch_id": world.north.id})
            assert errors == {}
            try:
                return create_or_merge(world.company.id, checked, None, "API", utcnow())
            finally:
                db.session.remove()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert holding.wait(timeout=10)
    results = {}
    same = threading.Thread(target=lambda: results.update(same=intake("+49301111111")))
    same.start()
    other = threading.Thread(target=lambda: results.update(other=intake("+49302222222")))
    other.start()
    other.join(timeout=10)
    assert "other" in results, "an intake of another phone waited for this phone's lock"
    same.join(timeout=2)
    assert "same" not in results, "an intake of the same phone did not wait for its lock"
    release.set()
    holder.join(timeout=10)
    same.join(timeout=10)
    assert results["same"].merged is False  # the holder stored nothing: there was nothing to merge into
    assert results["other"].merged is False

"""Decisions for real appointments: the path's policy, exact counts, a fixed number of queries."""
from datetime import timedelta

from portal.extensions import db
from portal.models import AppointmentModificationStat
from portal.services.appointments.read import find_appointment
from portal.services.modifications.policy import propose
from portal.services.scope import Scope
from tests.appointments.support import now_seconds
from tests.support import QueryCounter


def decide_for(app, appointment, action="cancel", now=None, whole_series=False):
    with app.app_context():
        loaded = find_appointment(Scope(appointment.company_id, None, None), appointment.id)
        return propose(loaded, action, now or now_seconds(), whole_series).decision


def test_the_appointments_path_decides_staff_over_service_over_branch_over_company(app, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24, "fee": "15.00"})
    appointment = bookings.appointment(hours_ahead=30, staff="ann", service=world.cut)
    assert decide_for(app, appointment).allowed
    bookings.policy("branch", world.north.id, {"hours_before": 48})
    denied = decide_for(app, appointment)
    assert not denied.allowed
    assert "(Branch North)" in denied.reasons[0]
    bookings.policy("service", world.cut.id, {"hours_before": 36, "fee": "5.00"})
    assert "needs 36 h notice" in decide_for(app, appointment).reasons[0]
    bookings.policy("staff", world.ann.id, {"hours_before": 12})
    decision = decide_for(app, appointment)
    assert decision.allowed
    assert decision.fee == 5
    sources = {rule.key: rule.source for rule in decision.rules}
    assert sources == {"hours_before": "Staff Ann", "fee": "Service Cut"}


def test_another_branchs_row_does_not_apply(app, world, bookings):
    bookings.policy("branch", world.south.id, {"hours_before": 48})
    assert decide_for(app, bookings.appointment(hours_ahead=5)).allowed


def test_monthly_count_is_exact_at_decision_time_and_ignores_the_stats_table(app, world, bookings):
    bookings.policy("company", world.company.id, {"max_cancellations_per_month": 2})
    customer = bookings.customer()
    old = bookings.appointment(customer, hours_ahead=-100, status="cancelled")
    bookings.modification(old, at=now_seconds() - timedelta(days=3))
    upcoming = bookings.appointment(customer, hours_ahead=72)
    with app.app_context():  # a stale materialization claiming no cancellations at all
        now = now_seconds()
        db.session.add(AppointmentModificationStat(
            company_id=world.company.id, customer_id=customer.id, stat_type="cancel_30d",
            period_start=now - timedelta(days=30), period_end=now, count=0))
        db.session.commit()
    assert decide_for(app, upcoming).rolling_count == 1
    bookings.modification(old, at=now_seconds() - timedelta(seconds=5))
    decision = decide_for(app, upcoming)
    assert not decision.allowed
    assert decision.rolling_count == 2


def test_rolling_window_edges_in_the_database(app, world, bookings):
    bookings.policy("company", world.company.id, {"max_cancellations_per_month": 5})
    customer, now = bookings.customer(), now_seconds()
    past = bookings.appointment(customer, hours_ahead=-800, status="cancelled")
    bookings.modification(past, at=now - timedelta(days=30))  # exactly 30 days: aged out
    bookings.modification(past, at=now - timedelta(days=30) + timedelta(seconds=1))  # just inside
    bookings.modification(past, at=now)  # this very second: inside
    bookings.modification(past, at=now + timedelta(seconds=1))  # after `now`: not yet
    bookings.modification(past, "reschedule", at=now - timedelta(days=1))  # another kind
    other_customer = bookings.appointment(hours_ahead=-800, status="cancelled")
    bookings.modification(other_customer, at=now - timedelta(days=1))
    decision = decide_for(app, bookings.appointment(customer), now=now)
    assert decision.rolling_count == 2


def test_reschedule_count_is_per_appointment(app, world, bookings):
    bookings.policy("company", world.company.id, {"max_reschedules_per_appointment": 2},
                    policy_type="reschedule")
    customer = bookings.customer()
    moved_twice, fresh = bookings.appointment(customer), bookings.appointment(customer)
    for days in (100, 200):  # long ago: the per-appointment count has no window
        bookings.modification(moved_twice, "reschedule", at=now_seconds() - timedelta(days=days))
    denied = decide_for(app, moved_twice, "reschedule")
    assert not denied.allowed
    assert "moved 2 times before" in denied.reasons[0]
    assert decide_for(app, fresh, "reschedule").allowed


def test_series_cancel_counts_the_following_appointments_and_the_series_rules(app, world, bookings):
    bookings.policy("company", world.company.id, {"fee": "10.00"})
    bookings.policy("company", world.company.id, {"allow_partial_cancel": False}, policy_type="recurring")
    customer = bookings.customer()
    first = bookings.appointment(customer, hours_ahead=30, series="weekly-1")
    for week in (1, 2):
        bookings.appointment(customer, hours_ahead=30 + 24 * 7 * week, series="weekly-1")
    bookings.appointment(customer, hours_ahead=30 + 24 * 21, series="weekly-1", status="cancelled")
    single = decide_for(app, first)
    assert not single.allowed
    assert "only the whole series can" in single.reasons[0]
    whole = decide_for(app, first, whole_series=True)
    assert whole.allowed
    assert whole.fee_parts == (10, 10, 10)


def count_queries(app, appointment, action="cancel", whole_series=False) -> int:
    with app.app_context(), QueryCounter(db.engine) as counter:
        loaded = find_appointment(Scope(appointment.company_id, None, None), appointment.id)
        propose(loaded, action, now_seconds(), whole_series)
    return counter.count


def test_a_decision_with_its_quota_check_uses_a_fixed_number_of_queries(app, make, world, bookings):
    small = bookings.appointment()
    few = {action: count_queries(app, small, action) for action in ("cancel", "reschedule")}
    # Grow everything a decision could scale with: rows on every level, history, other customers.
    bookings.policy("company", world.company.id, {"hours_before": 24, "max_cancellations_per_month": 3})
    bookings.policy("branch", world.north.id, {"fee": "5.00"})
    bookings.policy("service", world.cut.id, {"fee_percentage": "10.00"})
    bookings.policy("staff", world.ann.id, {"max_cancellations_per_month": "unlimited"})
    for level, ident in (("company", world.company.id), ("staff", world.ann.id)):
        bookings.policy(level, ident, {"max_reschedules_per_appointment": 3}, policy_type="reschedule")
    for extra in range(15):
        make.staff(world.company, world.north, name=f"Extra {extra}")
    big = bookings.appointment(small_customer := bookings.customer())
    for days in range(40):
        bookings.modification(big, "cancel" if days % 2 else "reschedule",
                              at=now_seconds() - timedelta(days=days, hours=1))
        bookings.modification(bookings.appointment(small_customer, hours_ahead=-days), at=now_seconds())
    many = {action: count_queries(app, big, action) for action in ("cancel", "reschedule")}
    assert few == many == {"cancel": 3, "reschedule": 3}  # appointment, policy rows, counts


def test_a_series_decision_uses_a_fixed_number_of_queries_too(app, bookings):
    customer = bookings.customer()
    first = bookings.appointment(customer, series="s-1")
    assert count_queries(app, first, whole_series=True) == 5  # + recurring rows, the series
    for week in range(1, 12):
        bookings.appointment(customer, hours_ahead=48 + 168 * week, series="s-1")
    assert count_queries(app, first, whole_series=True) == 5

"""The counters the database keeps (migrations 0008 and 0012) agree with counting the rows themselves,
after any mix of writes, on SQLite and MariaDB alike."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text, update

from portal.extensions import db
from portal.models import (
    CLOSED_STATUSES,
    AppointmentModification,
    CallbackClosedCount,
    CallbackClosedTotal,
    CallbackRequest,
    ModificationTotal,
    utcnow,
)
from portal.services.modifications.audit import AuditFilters, audit_totals, counted_totals
from portal.services.scope import Scope
from tests.appointments.support import Bookings

STATUSES = ("pending", "assigned", "contacted", "completed", "expired", "cancelled")
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def closed_by_counters(company_id):
    counter = CallbackClosedCount
    return {tuple(key): n for *key, n in db.session.execute(select(
        counter.branch_id, counter.status, counter.priority, counter.assignee, counter.callbacks)
        .where(*Scope.company(company_id).where(counter))) if n}


def closed_by_rows(company_id):
    cr = CallbackRequest
    return {(b, s, p, a or 0): n for b, s, p, a, n in db.session.execute(select(
        cr.branch_id, cr.status, cr.priority, cr.assigned_to, func.count())
        .where(*Scope.company(company_id).where(cr), cr.status.in_(CLOSED_STATUSES))
        .group_by(cr.branch_id, cr.status, cr.priority, cr.assigned_to))}


def closed_by_totals(company_id):
    total = CallbackClosedTotal
    return {tuple(key): n for *key, n in db.session.execute(select(total.branch_id, total.status, total.callbacks)
                                                            .where(*Scope.company(company_id).where(total))) if n}


def per_branch_and_status(closed: dict) -> dict:
    summed: dict = {}
    for (branch, status, _, _), n in closed.items():
        summed[(branch, status)] = summed.get((branch, status), 0) + n
    return summed


writes = st.lists(st.tuples(
    st.sampled_from(("insert", "status", "assign", "priority", "branch", "delete")),
    st.sampled_from(STATUSES), st.integers(0, 2), st.sampled_from(("normal", "high", "urgent"))),
    min_size=1, max_size=25)


@SLOW
@given(writes)
def test_closed_counts_follow_every_insert_update_and_delete(app, world, steps):
    branches, staff = (world.north.id, world.south.id), (None, world.ann.id, world.bob.id)
    with app.app_context():
        ids = []
        for action, status, pick, priority in steps:
            target = ids[pick % len(ids)] if ids else None
            if action == "insert" or target is None:
                row = CallbackRequest(company_id=world.company.id, branch_id=branches[pick % 2],
                                      phone_number="+4930123", customer_name="x", priority=priority,
                                      status=status, assigned_to=staff[pick], expires_at=utcnow())
                db.session.add(row)
                db.session.flush()
                ids.append(row.id)
                continue
            values = {"status": {"status": status}, "assign": {"assigned_to": staff[pick]},
                      "priority": {"priority": priority, "priority_rank": {"urgent": 0, "high": 1}.get(priority, 2)},
                      "branch": {"branch_id": branches[pick % 2]}}.get(action)
            if values is None:
                db.session.execute(delete(CallbackRequest).where(CallbackRequest.id == target))
                ids.remove(target)
            else:
                db.session.execute(update(CallbackRequest).where(CallbackRequest.id == target).values(**values))
        db.session.commit()
        assert closed_by_counters(world.company.id) == closed_by_rows(world.company.id)
        assert closed_by_totals(world.company.id) == per_branch_and_status(closed_by_rows(world.company.id))
        db.session.execute(delete(CallbackRequest))
        db.session.commit()
        assert closed_by_counters(world.company.id) == {}
        assert closed_by_totals(world.company.id) == {}


@pytest.fixture
def trail(make, world):
    """Modifications spread over months, at odd hours, in two branches, with and without fees."""
    bookings = Bookings(make, world)
    north = bookings.appointment(status="cancelled")
    south = bookings.appointment(branch=world.south, staff="cy", status="cancelled")
    start = datetime(2025, 11, 28, 21, 30)
    for n in range(60):
        at = start + timedelta(hours=37 * n, minutes=7 * n)
        bookings.modification(north if n % 3 else south, "cancel" if n % 2 else "reschedule", at=at,
                              within_policy=n % 5 != 0, fee=("0.00", "15.00", "7.50")[n % 3])
    return world


dates = st.none() | st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 3, 31))


@SLOW
@given(dates, dates, st.sampled_from((None, "cancel", "reschedule")), st.sampled_from((None, True, False)),
       st.sampled_from((None, True, False)), st.booleans(), st.sampled_from(("Europe/Berlin", "Asia/Kolkata", "UTC")))
def test_audit_totals_from_buckets_equal_counting_the_rows(app, trail, first, last, kind, within, charged,
                                                           south_only, tz_name):
    filters = AuditFilters(kind, within, charged, "", trail.south.id if south_only else None, first, last)
    with app.app_context():
        for scope in (Scope.company(trail.company.id), Scope(trail.company.id, trail.north.id)):
            assert audit_totals(scope, filters, tz_name) == counted_totals(scope, filters, tz_name)


def test_the_buckets_hold_every_modification_once_per_span(app, trail):
    with app.app_context():
        rows = db.session.scalar(select(func.count(AppointmentModification.id)))
        for span in ("day", "month"):
            assert db.session.scalar(select(func.sum(ModificationTotal.modifications))
                                     .where(ModificationTotal.span == span)) == rows
        fees = db.session.scalar(select(func.sum(ModificationTotal.fees)).where(ModificationTotal.span == "month"))
        assert Decimal(fees).quantize(Decimal("0.01")) == Decimal("450.00")  # 20 × 15.00 + 20 × 7.50


def test_the_triggers_exist(app, dialect):
    query = ("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
             if dialect == "mysql" else "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    with app.app_context():
        names = set(db.session.scalars(text(query)))
    assert {"callback_closed_counts_insert", "callback_closed_counts_delete", "modification_totals_insert",
            "callback_closed_totals_insert", "callback_closed_totals_update",
            "callback_closed_totals_delete"} <= names

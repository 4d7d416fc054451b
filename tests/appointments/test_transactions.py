"""The appointment change and its modification record are written together or not at all."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import Appointment, AppointmentModification, User
from portal.services.appointments.read import find_appointment
from portal.services.modifications import change as modifications
from portal.services.modifications.change import Change, ModificationRefused, modify_appointment
from portal.services.modifications.policy import propose
from portal.services.scope import Scope
from tests.appointments.support import now_seconds


def attempt(app, world, appointment_id, change_kw=None, before_write=None):
    """Run the real service as the world's admin; `before_write` may meddle in between."""
    with app.app_context():
        now = now_seconds()
        appointment = find_appointment(Scope(world.company.id, None, None), appointment_id)
        user = db.session.get(User, world.admin.id)
        change = Change(**{"action": "cancel", **(change_kw or {})})
        seen = propose(appointment, change.action, now, change.whole_series, change.new_starts_at).fingerprint
        if before_write:
            before_write()
        return modify_appointment(user, appointment, Change(**{**change.__dict__, "seen": seen}), now)


def stored(app, appointment_id):
    with app.app_context():
        db.session.expire_all()
        appointment = db.session.get(Appointment, appointment_id)
        records = db.session.scalar(select(func.count(AppointmentModification.id)))
        return appointment.status, appointment.starts_at, records


def test_a_failure_while_recording_leaves_neither_the_change_nor_the_record(app, world, bookings,
                                                                           monkeypatch):
    appointment = bookings.appointment()
    written = []

    def broken_record(*args, **kwargs):
        # By now the appointment's UPDATE has run inside the transaction.
        written.append(db.session.scalar(select(Appointment.status).where(Appointment.id == appointment.id)))
        raise RuntimeError("disk full")

    monkeypatch.setattr(modifications, "_record", broken_record)
    with pytest.raises(RuntimeError):
        attempt(app, world, appointment.id)
    assert written == ["cancelled"]  # the change was really made, then rolled back
    assert stored(app, appointment.id) == ("scheduled", appointment.starts_at, 0)


def test_a_failing_commit_leaves_neither(app, world, bookings, monkeypatch):
    appointment = bookings.appointment()
    new_time = appointment.starts_at + timedelta(days=2)

    def failing_commit():
        raise RuntimeError("connection lost")

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", failing_commit)
        with pytest.raises(RuntimeError):
            attempt(app, world, appointment.id, {"action": "reschedule", "new_starts_at": new_time})
        monkeypatch.undo()
    assert stored(app, appointment.id) == ("scheduled", appointment.starts_at, 0)


def test_a_failure_in_the_middle_of_a_series_undoes_the_whole_series(app, world, bookings, monkeypatch):
    customer = bookings.customer()
    first = bookings.appointment(customer, series="s")
    second = bookings.appointment(customer, hours_ahead=48 + 168, series="s")
    calls = []
    real_record = modifications._record

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(modifications, "_record", fail_on_second)
    with pytest.raises(RuntimeError):
        attempt(app, world, first.id, {"whole_series": True})
    assert stored(app, first.id)[0::2] == ("scheduled", 0)
    assert stored(app, second.id)[0] == "scheduled"


def test_someone_quicker_wins_and_the_slower_one_changes_nothing(app, world, bookings):
    appointment = bookings.appointment()

    def someone_else_cancels():
        with db.engine.begin() as other:  # another request, on another connection
            other.execute(update(Appointment).where(Appointment.id == appointment.id)
                          .values(status="cancelled"))

    with pytest.raises(ModificationRefused) as refused:
        attempt(app, world, appointment.id, before_write=someone_else_cancels)
    assert refused.value.status == 409
    assert "Someone else changed this appointment first" in refused.value.message
    assert stored(app, appointment.id)[0::2] == ("cancelled", 0)


def test_only_managers_and_admins_may_force(app, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24})
    appointment = bookings.appointment(hours_ahead=2)
    with app.app_context():
        agent = db.session.get(User, world.agent.id)
        loaded = find_appointment(Scope(world.company.id, None, None), appointment.id)
        seen = propose(loaded, "cancel", now_seconds()).fingerprint
        forced = Change("cancel", force=True, reason="x", seen=seen)
        with pytest.raises(ModificationRefused) as refused:
            modify_appointment(agent, loaded, forced, now_seconds())
    assert refused.value.status == 403
    assert stored(app, appointment.id)[0::2] == ("scheduled", 0)

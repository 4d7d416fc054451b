"""Cancel and reschedule through the pages: preview, confirm, overrides, waivers, refusals."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.domain.clock import to_local
from portal.extensions import db
from portal.models import Appointment, AppointmentModification
from tests.appointments.support import now_seconds
from tests.html import parse


def hidden_fields(body: str) -> dict:
    """The confirm form's hidden inputs, as a browser would send them back."""
    form = parse(body).find("form", data_form="confirm")
    fields = form.find_all("input", type="hidden") if form else []
    return {field["name"]: field.get("value", "") for field in fields if field["name"] != "csrf_token"}


def preview(client, url):
    page = client.get(url)
    body = page.get_data(as_text=True)
    return page, body, hidden_fields(body).get("seen")


def confirm(client, url, **fields):
    _, body, _ = preview(client, url)
    return client.submit(url.split("?")[0], {**hidden_fields(body), **fields})


def state(app, appointment_id):
    with app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        records = db.session.scalars(select(AppointmentModification).where(
            AppointmentModification.appointment_id == appointment_id)).all()
        return appointment.status, appointment.starts_at, [
            (r.modification_type, r.within_policy, r.fee_charged, r.reason, r.meta) for r in records]


def cancel_url(appointment, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/appointments/{appointment.id}/cancel" + (f"?{query}" if query else "")


def local_input(app, moment):
    return to_local(moment, "Europe/Berlin").strftime("%Y-%m-%dT%H:%M")


def test_preview_shows_the_decision_and_changes_nothing(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24, "fee": "15.00"})
    appointment = bookings.appointment(hours_ahead=5.25)
    client.login(world.manager.email)
    page, body, seen = preview(client, cancel_url(appointment))
    assert page.status_code == 200
    assert seen.startswith("denied:15.00:1:")
    assert "Denied by the rules" in body
    assert "Cancellation needs 24 h notice; 5.2 h remain" in body
    assert "€15.00" in body
    assert "Company" in body
    assert "Override the rules" in body
    assert state(app, appointment.id) == ("scheduled", appointment.starts_at, [])


def test_cancel_within_policy_is_recorded_with_its_fee_and_metadata(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24, "fee": "15.00"})
    appointment = bookings.appointment(hours_ahead=30)
    client.login(world.manager.email)
    response = confirm(client, cancel_url(appointment))
    assert response.status_code == 302
    status, _, records = state(app, appointment.id)
    assert status == "cancelled"
    [(kind, within, fee, reason, meta)] = records
    assert (kind, within, fee, reason) == ("cancel", True, Decimal("15.00"), None)
    assert 29.9 < meta["hours_notice"] <= 30
    assert meta["policy_required"] == 24
    assert meta["original_time"] == appointment.starts_at.isoformat()
    assert meta["new_time"] is None
    assert meta["policy"]["cancellation.hours_before"] == {
        "value": 24, "source": f"Company {world.company.name}", "level": "company"}
    assert meta["forced"] is False
    assert "fee charged €15.00" in client.get(response.location).get_data(as_text=True)


def test_a_denied_cancel_is_not_done_without_an_override(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24})
    appointment = bookings.appointment(hours_ahead=5)
    client.login(world.admin.email)
    response = confirm(client, cancel_url(appointment), reason="Customer asked")
    assert response.status_code == 400
    assert "A manager or admin can override them with a reason" in response.get_data(as_text=True)
    assert state(app, appointment.id)[0::2] == ("scheduled", [])


def test_forced_cancel_is_recorded_out_of_policy_with_the_reason(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24, "fee": "15.00"})
    appointment = bookings.appointment(hours_ahead=5.25)
    client.login(world.manager.email)
    response = confirm(client, cancel_url(appointment), force="y", reason="Customer is in hospital")
    assert response.status_code == 302
    status, _, [(kind, within, fee, reason, meta)] = state(app, appointment.id)
    assert (status, kind, within, fee, reason) == ("cancelled", "cancel", False, Decimal("15.00"),
                                                   "Customer is in hospital")
    assert meta["forced"] is True
    check = meta["checks"][0]
    assert {name: check[name] for name in ("rule", "passed", "text")} == {
        "rule": "hours_before", "passed": False,
        "text": f"Cancellation needs 24 h notice; 5.2 h remain (Company {world.company.name})"}
    assert check["message"]["msgid"] == "%(what)s needs %(required)s h notice; %(remain)s (%(source)s)"


def test_an_override_needs_a_reason(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"hours_before": 24})
    appointment = bookings.appointment(hours_ahead=5)
    client.login(world.manager.email)
    response = confirm(client, cancel_url(appointment), force="y", reason="  ")
    assert response.status_code == 400
    assert "Give a reason for overriding the rules." in response.get_data(as_text=True)
    assert state(app, appointment.id)[0::2] == ("scheduled", [])


def test_fee_waiver_charges_nothing_and_keeps_the_fee_and_reason_on_record(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"fee": "15.00"})
    appointment = bookings.appointment(hours_ahead=5)
    client.login(world.admin.email)
    response = confirm(client, cancel_url(appointment), waive_fee="y", waiver_reason="Regular customer")
    assert response.status_code == 302
    _, _, [(_, within, fee, _, meta)] = state(app, appointment.id)
    assert (within, fee) == (True, Decimal("0.00"))
    waiver = (meta["fee_computed"], meta["fee_waived"], meta["fee_waiver_reason"])
    assert waiver == ("15.00", True, "Regular customer")


def test_fee_waiver_needs_a_reason(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"fee": "15.00"})
    appointment = bookings.appointment(hours_ahead=5)
    client.login(world.admin.email)
    response = confirm(client, cancel_url(appointment), waive_fee="y")
    assert response.status_code == 400
    assert "Give a reason for waiving the fee." in response.get_data(as_text=True)
    assert state(app, appointment.id)[0::2] == ("scheduled", [])


def test_rules_that_require_a_reason_are_enforced(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"require_reason": True})
    appointment = bookings.appointment()
    client.login(world.admin.email)
    assert confirm(client, cancel_url(appointment)).status_code == 400
    assert confirm(client, cancel_url(appointment), reason="Moving away").status_code == 302
    assert state(app, appointment.id)[2][0][3] == "Moving away"


def test_a_decision_that_changed_since_the_preview_is_not_applied(app, client, world, bookings):
    appointment = bookings.appointment(hours_ahead=30)
    client.login(world.admin.email)
    _, _, seen = preview(client, cancel_url(appointment))
    assert seen.startswith("allowed:0.00:1:")
    bookings.policy("company", world.company.id, {"fee": "15.00"})  # changed in the meantime
    response = client.submit(cancel_url(appointment), {"seen": seen})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "The decision changed since your preview" in parse(body).text
    assert hidden_fields(body)["seen"].startswith("allowed:15.00:1:")  # the new decision, to confirm again
    assert state(app, appointment.id)[0::2] == ("scheduled", [])


def test_a_preview_of_an_appointment_moved_since_is_not_applied(app, client, world, bookings):
    appointment = bookings.appointment(hours_ahead=30)
    client.login(world.admin.email)
    _, body, _ = preview(client, cancel_url(appointment))
    with app.app_context():  # someone else moves it by an hour; rules and fee stay the same
        moved = db.session.get(Appointment, appointment.id)
        moved.starts_at += timedelta(hours=1)
        db.session.commit()
    response = client.submit(cancel_url(appointment), hidden_fields(body))
    assert response.status_code == 409
    assert b"The decision changed since your preview" in response.data
    assert state(app, appointment.id)[0::2] == ("scheduled", [])


def test_a_crafted_post_without_the_preview_is_refused(app, client, world, bookings):
    appointment = bookings.appointment()
    client.login(world.admin.email)
    assert client.submit(cancel_url(appointment), {}).status_code == 409
    assert state(app, appointment.id)[0::2] == ("scheduled", [])


def test_a_cancelled_appointment_cannot_be_cancelled_again(app, client, world, bookings):
    appointment = bookings.appointment(status="cancelled")
    client.login(world.admin.email)
    assert client.get(cancel_url(appointment)).status_code == 409
    response = client.submit(cancel_url(appointment), {"seen": "allowed:0.00:1"})
    assert response.status_code == 409
    assert b"only scheduled appointments" in response.data


def test_reschedule_moves_the_appointment_and_records_both_times(app, client, world, bookings):
    appointment = bookings.appointment(hours_ahead=50)
    new_time = (appointment.starts_at + timedelta(days=3)).replace(minute=0, second=0)
    client.login(world.manager.email)
    url = f"/appointments/{appointment.id}/reschedule"
    page, body, seen = preview(client, f"{url}?new_time={local_input(app, new_time)}")
    assert page.status_code == 200
    assert "Allowed by the rules" in body
    response = client.submit(url, {"seen": seen, "new_time": local_input(app, new_time)})
    assert response.status_code == 302
    status, starts_at, [(kind, within, fee, _, meta)] = state(app, appointment.id)
    assert (status, starts_at, kind, within, fee) == ("scheduled", new_time, "reschedule", True, 0)
    assert meta["original_time"] == appointment.starts_at.isoformat()
    assert meta["new_time"] == new_time.isoformat()
    with app.app_context():
        moved = db.session.get(Appointment, appointment.id)
        assert moved.ends_at - moved.starts_at == timedelta(minutes=30)  # the length is kept


def test_reschedule_refuses_a_time_in_the_past_even_when_crafted(app, client, world, bookings):
    appointment = bookings.appointment()
    client.login(world.admin.email)
    url = f"/appointments/{appointment.id}/reschedule"
    past = local_input(app, now_seconds() - timedelta(hours=1))
    page = client.get(f"{url}?new_time={past}")
    assert page.status_code == 400
    assert b"The new time is in the past" in page.data
    crafted = client.submit(url, {"seen": "allowed:0.00:1", "new_time": past})
    assert crafted.status_code == 400
    assert b"The new time is in the past" in crafted.data
    garbled = client.submit(url, {"seen": "allowed:0.00:1", "new_time": "next tuesday"})
    assert garbled.status_code == 400
    assert b"Enter the new date and time" in garbled.data
    assert state(app, appointment.id) == ("scheduled", appointment.starts_at, [])


def test_the_per_appointment_reschedule_limit_counts_real_moves(app, client, world, bookings):
    bookings.policy("company", world.company.id, {"max_reschedules_per_appointment": 1},
                    policy_type="reschedule")
    appointment = bookings.appointment(hours_ahead=50)
    client.login(world.admin.email)
    url = f"/appointments/{appointment.id}/reschedule"
    first = local_input(app, appointment.starts_at + timedelta(days=1))
    _, _, seen = preview(client, f"{url}?new_time={first}")
    assert client.submit(url, {"seen": seen, "new_time": first}).status_code == 302
    second = local_input(app, appointment.starts_at + timedelta(days=2))
    _, body, seen = preview(client, f"{url}?new_time={second}")
    assert seen.startswith("denied:0.00:1:")
    assert "this appointment was moved 1 time before; the limit is 1" in body


def test_whole_series_cancel_writes_one_record_per_appointment(app, client, world, bookings):
    bookings.policy("company", world.company.id,
                    {"fee_tiers": [{"min_hours": 48, "fee": "0.00"}, {"min_hours": 0, "fee": "10.00"}]})
    customer = bookings.customer()
    first = bookings.appointment(customer, hours_ahead=20, series="w-7")
    later = bookings.appointment(customer, hours_ahead=20 + 168, series="w-7")
    earlier = bookings.appointment(customer, hours_ahead=-148, series="w-7", status="completed")
    client.login(world.admin.email)
    response = confirm(client, cancel_url(first, scope="series"), reason="Moving away")
    assert response.status_code == 302
    assert [(r[0], r[2]) for r in state(app, first.id)[2]] == [("cancel", Decimal("10.00"))]
    assert state(app, later.id)[0] == "cancelled"
    assert state(app, later.id)[2][0][2] == Decimal("0.00")
    assert state(app, later.id)[2][0][4]["series"] == {"id": "w-7", "scope": "series",
                                                       "first_appointment_id": first.id}
    assert state(app, earlier.id)[0::2] == ("completed", [])


def test_scope_series_on_an_appointment_outside_a_series_cancels_just_it(app, client, world, bookings):
    customer = bookings.customer()
    lonely, other = bookings.appointment(customer), bookings.appointment(customer, hours_ahead=200)
    client.login(world.admin.email)
    assert confirm(client, cancel_url(lonely, scope="series")).status_code == 302
    assert state(app, lonely.id)[0] == "cancelled"
    assert state(app, other.id)[0] == "scheduled"


def test_overlong_reason_is_refused_with_a_message(app, client, world, bookings):
    appointment = bookings.appointment()
    client.login(world.admin.email)
    response = confirm(client, cancel_url(appointment), reason="x" * 2001)
    assert response.status_code == 400
    assert b"2000" in response.data
    assert state(app, appointment.id)[0::2] == ("scheduled", [])

"""The list, detail and customer pages."""
from datetime import timedelta

from portal.domain.clock import to_local
from portal.extensions import db
from portal.services.appointments.read import find_customer
from portal.services.modifications.policy import customer_outlook
from portal.services.scope import Scope
from tests.appointments.support import now_seconds
from tests.html import field_errors, parse
from tests.support import QueryCounter


def test_list_filters_by_status_staff_branch_and_customer(client, world, bookings):
    anna, bert = bookings.customer(name="Anna Alpha"), bookings.customer(name="Bert Beta", phone="+4930555")
    bookings.appointment(anna, staff="ann")
    bookings.appointment(bert, staff="bob", status="cancelled")
    bookings.appointment(bert, branch=world.south, staff="cy")
    client.login(world.admin.email)

    def names(query):
        body = client.get("/appointments/?date_from=" + query).get_data(as_text=True)
        return body.count("Anna Alpha"), body.count("Bert Beta")

    assert names("") == (1, 2)
    assert names("&status=cancelled") == (0, 1)
    assert names(f"&staff={world.ann.id}") == (1, 0)
    assert names(f"&branch={world.south.id}") == (0, 1)
    assert names("&customer=BERT") == (0, 2)
    assert names("&customer=30555") == (0, 2)  # by phone


def test_the_staff_filter_lists_the_chosen_branchs_staff_never_the_whole_chain(client, world):
    def staff_options(query=""):
        html = parse(client.get("/appointments/" + query).get_data(as_text=True))
        return [option.text for option in html.one("select", name="staff").find_all("option")]

    client.login(world.admin.email)
    assert staff_options() == ["All staff"]
    assert staff_options(f"?branch={world.south.id}") == ["All staff", "Cy"]
    assert staff_options(f"?branch={world.north.id}") == ["All staff", "Ann", "Bob"]
    assert staff_options(f"?staff={world.ann.id}") == ["All staff", "Ann"]  # a link naming one keeps it
    assert staff_options(f"?branch={world.south.id}&staff={world.ann.id}") == ["All staff", "Ann", "Cy"]
    client.logout()
    client.login(world.manager.email)  # a manager: their own branch's staff
    assert staff_options() == ["All staff", "Ann", "Bob"]


def test_list_date_range_is_in_local_days_and_defaults_to_upcoming(client, world, bookings):
    customer = bookings.customer(name="Paula Past")
    bookings.appointment(customer, hours_ahead=-24 * 5)
    bookings.appointment(bookings.customer(name="Fiona Future"), hours_ahead=24 * 5)
    client.login(world.admin.email)
    first_visit = client.get("/appointments/").get_data(as_text=True)
    assert "Fiona Future" in first_visit
    assert "Paula Past" not in first_visit
    # The filter's days are the company's (Europe/Berlin): between 23:00 and midnight UTC the
    # appointment five days back already falls on the next local day.
    day = to_local(now_seconds() - timedelta(days=5), world.company.timezone).date().isoformat()
    one_day = client.get(f"/appointments/?date_from={day}&date_to={day}").get_data(as_text=True)
    assert "Paula Past" in one_day
    assert "Fiona Future" not in one_day


def test_list_rejects_malformed_filters_with_a_message(client, world):
    client.login(world.admin.email)
    for query in ("date_from=tomorrow", "staff=abc", "status=lost", "customer=" + "x" * 101):
        response = client.get(f"/appointments/?{query}")
        assert response.status_code == 400, query
        assert field_errors(parse(response.get_data(as_text=True))), query


def test_detail_shows_the_history_with_who_and_why(client, world, bookings):
    appointment = bookings.appointment()
    bookings.modification(appointment, "reschedule", reason="Customer asked", fee="5.00",
                          meta={"original_time": "2026-01-01T09:00:00", "new_time": "2026-01-02T09:00:00"})
    client.login(world.manager.email)
    page = parse(client.get(f"/appointments/{appointment.id}").get_data(as_text=True))
    row = page.one("tr", data_modification=True).text
    assert "Customer asked" in row
    assert world.admin.name in row
    assert "€5.00" in row
    assert "Fri 02 Jan 2026, 10:00 CET" in row  # stored UTC, shown in the company's zone
    assert f"/appointments/{appointment.id}/cancel" in page.links()


def test_detail_of_a_cancelled_appointment_offers_no_changes(client, world, bookings):
    appointment = bookings.appointment(status="cancelled")
    client.login(world.admin.email)
    page = parse(client.get(f"/appointments/{appointment.id}").get_data(as_text=True))
    assert "cannot be cancelled or rescheduled any more" in page.text
    assert not [link for link in page.links() if "/cancel" in link or "/reschedule" in link]


def test_customer_page_shows_rolling_counts_against_the_effective_limit(client, world, bookings):
    bookings.policy("company", world.company.id, {"max_cancellations_per_month": 3})
    bookings.policy("branch", world.north.id, {"max_cancellations_per_month": 2})
    customer = bookings.customer(name="Carla Counted")
    past = bookings.appointment(customer, hours_ahead=-300, status="cancelled")
    bookings.modification(past, at=now_seconds() - timedelta(days=2), reason="first")
    bookings.modification(past, at=now_seconds() - timedelta(days=31), reason="too old to count")
    bookings.appointment(customer, hours_ahead=72)
    client.login(world.manager.email)
    page = parse(client.get(f"/appointments/customers/{customer.id}").get_data(as_text=True))
    cancels = page.one(data_count="cancel").text
    assert cancels.startswith("1 of 2")
    assert "limit from Branch North" in cancels
    history = " ".join(row.text for row in page.find_all("tr", data_modification=True))
    assert "first" in history
    assert "too old to count" in history
    assert page.find_all("td", data_decision="allowed")
    assert "✓ allowed" in page.text


def test_customer_page_says_when_a_limit_is_reached(client, world, bookings):
    bookings.policy("company", world.company.id, {"max_cancellations_per_month": 1})
    customer = bookings.customer()
    cancelled = bookings.appointment(customer, status="cancelled")
    bookings.modification(cancelled, at=now_seconds() - timedelta(hours=1))
    bookings.appointment(customer, hours_ahead=72)
    client.login(world.admin.email)
    page = parse(client.get(f"/appointments/customers/{customer.id}").get_data(as_text=True))
    assert "stat-alert" in page.one(data_count="cancel")["class"].split()  # the limit is reached
    cancel_now = page.one("tr", data_appointment=True).find_all("td", data_decision=True)[0]
    assert cancel_now["data-decision"] == "denied"
    assert "✗ denied" in cancel_now.text
    assert "1 cancellation by this customer in the last 30 days; the limit is 1" in cancel_now.text


def test_customer_outlook_uses_a_fixed_number_of_queries(app, world, bookings):
    customer = bookings.customer()
    upcoming = [bookings.appointment(customer, hours_ahead=24 * day) for day in range(1, 9)]
    for appointment in upcoming[:3]:
        bookings.modification(appointment, "reschedule")
    with app.app_context():
        from portal.services.appointments.read import upcoming_for_customer
        scope = Scope(world.company.id, None, None)
        person = find_customer(scope, customer.id)
        now = now_seconds()
        for size in (1, 8):
            loaded = upcoming_for_customer(scope, person.id, now, size)
            with QueryCounter(db.engine) as counter:
                outlook = customer_outlook(world.company.id, person.id, loaded, now, [])
            assert len(outlook.rows) == size
            assert counter.count == 4  # rolling counts, moves, cancellation rows, reschedule rows

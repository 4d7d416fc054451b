"""Who sees which appointments: admins the company, managers their branch, agents nothing."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AppointmentModification
from tests.html import get


@pytest.fixture
def south(bookings, world):
    """A customer who only ever booked at South, with an appointment and a modification there."""
    customer = bookings.customer(name="Sally South")
    appointment = bookings.appointment(customer, branch=world.south, staff="cy")
    modification = bookings.modification(appointment, reason="south reason")
    return customer, appointment, modification


def record_urls(customer, appointment, modification):
    return [f"/appointments/{appointment.id}", f"/appointments/{appointment.id}/cancel",
            f"/appointments/{appointment.id}/reschedule", f"/appointments/customers/{customer.id}",
            f"/appointments/modifications/{modification.id}"]


LIST_URLS = ["/appointments/", "/appointments/modifications", "/appointments/modifications.csv",
             "/appointments/stats"]


def test_agents_get_no_appointment_pages(client, world, south):
    client.login(world.agent.email)
    for url in LIST_URLS + record_urls(*south):
        assert client.get(url).status_code == 403, url
    for url in (f"/appointments/{south[1].id}/cancel", f"/appointments/{south[1].id}/reschedule"):
        assert client.submit(url, {"seen": "allowed:0.00:1", "force": "y", "reason": "x"}).status_code == 403


def test_appointments_are_not_in_the_agents_menu(client, world):
    client.login(world.agent.email)
    assert get(client, "/").find("a", data_nav="appointments.index") is None
    client.logout()
    client.login(world.manager.email)
    assert get(client, "/").find("a", data_nav="appointments.index") is not None


def test_a_manager_of_another_branch_gets_404(client, world, south):
    client.login(world.manager.email)  # manages North
    for url in record_urls(*south):
        assert client.get(url).status_code == 404, url


def test_a_managers_crafted_post_on_another_branch_is_404_and_changes_nothing(app, client, world, south):
    _, appointment, _ = south
    client.login(world.manager.email)
    response = client.submit(f"/appointments/{appointment.id}/cancel",
                             {"seen": "allowed:0.00:1", "scope": "single"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(AppointmentModification.id))) == 1


def test_the_admin_reaches_every_branch(client, world, south):
    client.login(world.admin.email)
    for url in LIST_URLS + record_urls(*south):
        assert client.get(url).status_code == 200, url


def test_lists_show_a_manager_only_their_branch(client, world, bookings, south):
    both = bookings.customer(name="Bea Both")
    north_visit = bookings.appointment(both, hours_ahead=30)
    south_visit = bookings.appointment(both, branch=world.south, staff="cy", hours_ahead=40)
    bookings.modification(north_visit, reason="north reason")
    bookings.modification(south_visit, reason="other branch reason")
    client.login(world.manager.email)
    listing = client.get("/appointments/").get_data(as_text=True)
    assert "Bea Both" in listing
    assert "Sally South" not in listing
    assert f"/appointments/{south_visit.id}" not in listing
    audit = client.get("/appointments/modifications").get_data(as_text=True)
    assert "north reason" in audit
    assert "south reason" not in audit
    assert "other branch reason" not in audit
    assert "other branch reason" not in client.get("/appointments/modifications.csv").get_data(as_text=True)
    person = client.get(f"/appointments/customers/{both.id}").get_data(as_text=True)
    assert "north reason" in person
    assert "other branch reason" not in person


def test_a_manager_cannot_filter_their_way_into_another_branch(client, world, south):
    client.login(world.manager.email)
    response = client.get(f"/appointments/?branch={world.south.id}&date_from=")
    assert response.status_code == 400
    assert b"Not a valid choice" in response.data
    assert client.get(f"/appointments/modifications?branch={world.south.id}").status_code == 400


def test_unknown_ids_are_404(client, world):
    client.login(world.admin.email)
    for url in ("/appointments/999999", "/appointments/customers/999999",
                "/appointments/modifications/999999",
                "/appointments/999999/cancel"):
        assert client.get(url).status_code == 404, url

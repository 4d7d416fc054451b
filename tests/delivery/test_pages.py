"""The delivery log: who sees what, filters, a delivery's attempts, resend, preview, unsubscribe."""
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Delivery, utcnow
from portal.services.delivery.dispatch import dispatch_due
from portal.services.delivery.unsubscribe import unsubscribe_token
from tests.delivery.support import change_appointment, set_cell
from tests.html import parse


def cancelled_for(app, world, bookings, customer, branch=None):
    appointment = bookings.appointment(customer, branch=branch)
    with app.app_context():
        change_appointment(world.admin.id, appointment.id, "cancel", utcnow().replace(microsecond=0))
    return appointment


def rows(response) -> list[tuple[str, str]]:
    page = parse(response.get_data(as_text=True))
    return [(row["data-delivery"], row["data-status"]) for row in page.find_all("tr", data_delivery=True)]


def test_admins_filter_the_log_by_status_and_open_a_delivery(app, client, world, bookings, eva):
    set_cell(app, world.company.id, "cancellation", "email", template_override="missing/one")
    cancelled_for(app, world, bookings, eva)
    with app.app_context():
        dispatch_due(utcnow())
    client.login(world.admin.email)
    assert len(rows(client.get("/deliveries"))) == 1
    [(delivery_id, status)] = rows(client.get("/deliveries?status=failed"))
    assert status == "failed"
    assert rows(client.get("/deliveries?status=sent")) == []
    assert len(rows(client.get("/deliveries?channel=sms"))) == 1
    assert rows(client.get("/deliveries?event=reminder_24h")) == []
    assert len(rows(client.get("/deliveries?customer=Eva"))) == 1
    detail = client.get(f"/deliveries/{delivery_id}").get_data(as_text=True)
    attempts = parse(detail).find_all("tr", data_attempt=True)
    assert {a["data-status"] for a in attempts} == {"failed", "sent"}
    assert "missing/one.de" in detail


def test_bad_filters_are_a_clear_400(app, client, world):
    client.login(world.admin.email)
    for query in ("status=lost", "channel=fax", "from=yesterday", "customer_id=x", "event=nope"):
        assert client.get(f"/deliveries?{query}").status_code == 400, query


def test_resend_makes_a_new_delivery_that_goes_out(app, client, world, bookings, eva, smtp):
    cancelled_for(app, world, bookings, eva)
    with app.app_context():
        original = db.session.scalar(select(Delivery.id))
    client.login(world.admin.email)
    response = client.submit(f"/deliveries/{original}/resend")
    assert response.status_code == 302
    with app.app_context():
        again = db.session.scalar(select(Delivery).where(Delivery.resend_of_id == original))
        assert again is not None
        assert again.event_type == "cancellation"
        dispatch_due(utcnow())
    assert len(smtp.to("eva@example.test")) == 2
    assert client.get(f"/deliveries/{original}/resend").status_code == 405  # never over GET


def test_managers_see_their_branch_only_and_agents_not_at_all(app, client, world, bookings, eva):
    cancelled_for(app, world, bookings, eva, branch=world.north)
    other = bookings.customer(email="s@example.test", consents={"email": True})
    cancelled_for(app, world, bookings, other, branch=world.south)
    with app.app_context():
        south = db.session.scalar(select(Delivery.id).where(Delivery.branch_id == world.south.id))
    client.login(world.manager.email)
    assert len(rows(client.get("/deliveries"))) == 1
    assert client.get(f"/deliveries/{south}").status_code == 404
    assert client.submit(f"/deliveries/{south}/resend").status_code == 404
    client.logout()
    client.login(world.agent.email)
    assert client.get("/deliveries").status_code == 403


def test_the_pages_of_the_customer_and_the_appointment_show_their_notifications(app, client, world, bookings,
                                                                                   eva):
    appointment = cancelled_for(app, world, bookings, eva)
    client.login(world.admin.email)
    for url in (f"/appointments/customers/{eva.id}", f"/appointments/{appointment.id}"):
        section = parse(client.get(url).get_data(as_text=True)).find("section", data_section="deliveries")
        assert section is not None, url
        assert len(section.find_all("tr", data_delivery=True)) == 1, url


def test_the_dashboard_counts_failed_notifications_of_the_last_day(app, client, world, bookings, eva):
    set_cell(app, world.company.id, "cancellation", "email", template_override="missing/one")
    cancelled_for(app, world, bookings, eva)
    with app.app_context():
        dispatch_due(utcnow())
    client.login(world.admin.email)
    page = parse(client.get("/").get_data(as_text=True))
    assert page.find(data_stat="failed_deliveries").text == "1"


def test_admins_preview_a_template_with_sample_data(app, client, world):
    client.login(world.admin.email)
    page = parse(client.get("/deliveries/templates?event=cancellation&language=en").get_data(as_text=True))
    assert "Hello Eva Schulz" in page.find(data_part="text").text
    broken = client.get("/deliveries/templates?event=cancellation&template=missing/one")
    assert "does not exist" in parse(broken.get_data(as_text=True)).find(data_problem=True).text
    assert client.get("/deliveries/templates?template=../../etc/passwd").status_code in (200, 400)
    client.logout()
    client.login(world.manager.email)
    assert client.get("/deliveries/templates").status_code == 403


def test_a_forged_or_foreign_unsubscribe_link_is_404_and_changes_nothing(app, client, make, world, bookings, eva):
    stranger = make.world()
    with app.app_context():
        foreign = unsubscribe_token(stranger.company.id, eva.id, "email")  # eva is not theirs
        real = unsubscribe_token(world.company.id, eva.id, "email")
        count = db.session.scalar(select(func.count()).select_from(Delivery))
    assert client.get(f"/unsubscribe/{foreign}").status_code == 404
    assert client.get(f"/unsubscribe/{real[:-2]}xx").status_code == 404
    assert client.get(f"/unsubscribe/{real}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Delivery)) == count


def test_admins_set_the_companys_email_sender_and_bad_addresses_are_refused(app, client, world):
    from portal.models import Company

    client.login(world.admin.email)
    form = {"name": world.company.name, "timezone": "Europe/Berlin", "default_region": "DE",
            "default_language": "de", "version": world.company.version}
    assert client.submit("/organisation/company", {**form, "email_sender": "not an address"}).status_code == 400
    assert client.submit("/organisation/company", {**form, "email_sender": "Hello@Salon.test"}).status_code == 302
    with app.app_context():
        assert db.session.get(Company, world.company.id).email_sender == "hello@salon.test"


def test_a_delivery_resolves_to_what_the_plan_page_shows_for_its_node(app, client, world, bookings, eva):
    set_cell(app, world.company.id, "cancellation", "sms", level="branch", entity_id=world.north.id,
             retry_count=2, retry_delay_minutes=7, fallback_channel="email")
    set_cell(app, world.company.id, "cancellation", "email", level="staff", entity_id=world.ann.id,
             is_enabled=False)
    cancelled_for(app, world, bookings, eva)  # at North, Cut, with Ann
    with app.app_context():
        delivery = db.session.scalar(select(Delivery))
        assert delivery.node_path == (f"company:{world.company.id}/branch:{world.north.id}/"
                                      f"service:{world.cut.id}/staff:{world.ann.id}")
        planned = [(step["kind"], step["channel"]) for step in delivery.plan["attempts"]]
    client.login(world.admin.email)
    plan = parse(client.get(f"/notifications/staff/{world.ann.id}/plan/cancellation?service={world.cut.id}")
                 .get_data(as_text=True)).find("ol", id="delivery-plan")
    shown = [(row["data-attempt"], row.find("span").text.lower()) for row in plan.find_all("li", data_attempt=True)]
    assert shown == planned == [("first", "sms"), ("retry", "sms"), ("retry", "sms"), ("fallback", "email")]

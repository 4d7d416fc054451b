"""The dashboard shows real counts for the signed-in user's scope."""
import re
from datetime import timedelta

from portal.extensions import db
from portal.models import Appointment, CallbackRequest, PolicyConfiguration, utcnow


def stat(html: str, name: str) -> int:
    return int(re.search(rf'data-stat="{name}">(\d+)<', html).group(1))


def add_callback(world, branch, status, minutes_left):
    return CallbackRequest(
        company_id=world.company.id, branch_id=branch.id, phone_number="+4915100000001",
        customer_name="Test", status=status, expires_at=utcnow() + timedelta(minutes=minutes_left),
    )


def test_dashboard_counts_callbacks_policies_and_todays_appointments(app, client, make, world):
    customer = make.customer(world.company)
    with app.app_context():
        db.session.add_all([
            add_callback(world, world.north, "pending", 30),
            add_callback(world, world.north, "assigned", -5),  # overdue
            add_callback(world, world.south, "contacted", -60),  # overdue, other branch
            add_callback(world, world.north, "completed", -60),  # closed: not counted
            PolicyConfiguration(company_id=world.company.id, configurable_type="company",
                                configurable_id=world.company.id, policy_type="cancellation",
                                config={"hours_before": 24}),
            PolicyConfiguration(company_id=world.company.id, configurable_type="branch",
                                configurable_id=world.north.id, policy_type="cancellation",
                                config={"hours_before": 48}),
        ])
        now = utcnow()
        for offset, branch in ((timedelta(minutes=1), world.north), (timedelta(days=3), world.north)):
            db.session.add(Appointment(
                company_id=world.company.id, branch_id=branch.id, service_id=world.cut.id,
                customer_id=customer.id, starts_at=now + offset, ends_at=now + offset, status="scheduled"))
        db.session.commit()

    client.login(world.admin.email)
    html = client.get("/").get_data(as_text=True)
    assert stat(html, "open_callbacks") == 3
    assert stat(html, "overdue_callbacks") == 2
    assert stat(html, "policy_rows") == 2
    assert stat(html, "appointments_today") in (1, 2)  # the second is 3 days away; 1 unless near midnight
    assert stat(html, "appointments_today") == 1 or now.hour >= 22

    client.logout()
    client.login(world.manager.email)  # manager of North sees only North
    html = client.get("/").get_data(as_text=True)
    assert stat(html, "open_callbacks") == 2
    assert stat(html, "overdue_callbacks") == 1
    assert stat(html, "policy_rows") == 1


def test_dashboard_never_counts_another_company(app, client, make, world):
    other = make.world()
    with app.app_context():
        db.session.add(add_callback(other, other.north, "pending", -5))
        db.session.commit()
    client.login(world.admin.email)
    html = client.get("/").get_data(as_text=True)
    assert stat(html, "open_callbacks") == 0
    assert stat(html, "overdue_callbacks") == 0

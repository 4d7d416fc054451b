"""A branch manager meets a denied late cancellation, overrides it, and finds it in the audit trail."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.demo.activity import DEMO_PASSWORD
from portal.demo.seed import demo_company
from portal.extensions import db
from portal.models import Appointment, Branch, Customer, Service, Staff, User, utcnow
from tests.browser import expect, save_screenshot, sign_in

pytestmark = pytest.mark.browser

MANAGER = "manager.altona@demo.test"
CUSTOMER = "Erika Spätabsage"


@pytest.fixture
def late_appointment(app, demo):
    """A Haircut at Hamburg Altona starting in 5 hours, and a manager of that branch.

    Set up on purpose: the demo's own manager runs Berlin Mitte, whose branch row asks for 48 h,
    and the issue is about a 24-hour rule. Hamburg Altona has no cancellation row of its own,
    nor has Haircut or the chosen staff member (the demo's staff row sits on a Berlin person),
    so the company's rules apply: 24 h notice, a 15.00 EUR fee, a reason required. The manager
    of Altona is created here because the demo has none; the customer is new, so the test finds
    exactly this appointment.
    """
    with app.app_context():
        company = demo_company()
        altona = db.session.scalar(select(Branch).where(Branch.company_id == company.id,
                                                        Branch.name == "Hamburg Altona"))
        haircut = db.session.scalar(select(Service).where(Service.company_id == company.id,
                                                          Service.name == "Haircut"))
        stylist = db.session.scalar(select(Staff).where(Staff.branch_id == altona.id).order_by(Staff.name))
        customer = Customer(company_id=company.id, name=CUSTOMER, phone="+4940123456")
        manager = User(company_id=company.id, email=MANAGER, name="Hanna Hamburg", role="branch_manager",
                       branch_id=altona.id, language="en")  # the demo company speaks German
        manager.set_password(DEMO_PASSWORD)
        db.session.add_all([customer, manager])
        db.session.flush()
        starts = utcnow().replace(microsecond=0) + timedelta(hours=5)
        appointment = Appointment(company_id=company.id, branch_id=altona.id, service_id=haircut.id,
                                  staff_id=stylist.id, customer_id=customer.id, starts_at=starts,
                                  ends_at=starts + timedelta(minutes=30), price=haircut.price)
        db.session.add(appointment)
        db.session.commit()
        return appointment.id


def test_manager_forces_a_late_cancellation_and_finds_it_out_of_policy(page, late_appointment):
    sign_in(page, MANAGER, DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Appointments").click()
    page.fill("input[name=customer]", "Spätabsage")
    page.get_by_role("button", name="Apply").click()
    page.locator(".appt-table a", has_text=CUSTOMER).first.wait_for()
    page.locator(f"a[href='/appointments/{late_appointment}']").click()
    expect(page.locator("h1")).to_contain_text(CUSTOMER)

    page.get_by_role("link", name="Cancel appointment…").click()
    decision = page.locator(".decision")
    expect(decision).to_contain_text("Denied by the rules")
    expect(decision.locator(".reasons")).to_contain_text("Cancellation needs 24 h notice")
    expect(decision.locator(".decision-fee")).to_contain_text("€15.00")
    expect(decision.locator(".decision-fee")).to_contain_text("fixed fee (Company Demo Salons & Clinics)")
    save_screenshot(page, "appointments-cancel-denied")

    page.get_by_label("Override the rules and record this as out of policy").check()
    page.get_by_label("Reason").fill("Customer called from hospital")
    page.get_by_role("button", name="Confirm cancellation").click()
    expect(page.locator(".flash-success")).to_contain_text("fee charged €15.00, recorded as out of policy")
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "cancelled")

    page.locator("nav.mainnav a", has_text="Appointments").click()
    page.get_by_role("link", name="Modifications audit").click()
    page.select_option("select[name=within_policy]", "no")
    page.get_by_role("button", name="Apply").click()
    row = page.locator(".audit-table tbody tr", has_text=CUSTOMER)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("out of policy")
    expect(row).to_contain_text("€15.00")
    expect(row).to_contain_text("Customer called from hospital")
    save_screenshot(page, "appointments-audit-out-of-policy")

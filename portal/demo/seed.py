"""The deterministic demo company (`flask seed demo`)."""
import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal.demo.activity import DEMO_PASSWORD, seed_callbacks, seed_policies, seed_users
from portal.demo.deliveries import seed_deliveries
from portal.demo.modifications import seed_modifications
from portal.demo.notifications import seed_notifications
from portal.extensions import db
from portal.models import Appointment, Company, Customer, User, utcnow
from portal.services.organisation.branches import create_branch
from portal.services.organisation.catalog import create_service
from portal.services.organisation.company import create_company
from portal.services.organisation.nodes import Outcome
from portal.services.organisation.staff import create_staff

DEMO_SLUG = "demo"
DEMO_LOGINS = (
    ("admin@demo.test", "admin", "Admin"),
    ("manager@demo.test", "branch_manager", "Branch manager (Berlin Mitte)"),
    ("agent@demo.test", "agent", "Support agent"),
)
BRANCHES = (("Berlin Mitte", "Berlin", "BER-MITTE"), ("Hamburg Altona", "Hamburg", "HAM-ALTONA"),
            ("München Schwabing", "München", "MUC-SCHWABING"))
SERVICES = (
    ("Haircut", "35.00", 30), ("Colouring", "89.00", 90), ("Beard trim", "19.00", 20),
    ("Massage 60 min", "65.00", 60), ("Physiotherapy", "55.00", 45),
    ("Manicure", "29.00", 40), ("Consultation", None, 30),
)
FIRST = ("Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Jonas", "Lena",
         "Lukas", "Mia", "Noah", "Paul", "Sophie", "Tim", "Lea", "Max", "Nina", "Ole")
LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Hoffmann", "Koch", "Richter", "Klein")


def demo_company() -> Company | None:
    return db.session.scalar(select(Company).where(Company.slug == DEMO_SLUG))


def seed_demo(now: datetime | None = None) -> tuple[Company, bool]:
    """Create the demo company once; returns (company, created). Same input, same data.

    The company, its admin, branches, services, staff and users are made by the same services
    the pages and `flask companies create` use (portal/services/organisation/)."""
    existing = demo_company()
    if existing is not None:
        return existing, False
    now = now or utcnow()
    rng = random.Random(20261126)
    company, admin = _company(now)
    branches, services = _hierarchy(company, admin)
    staff = _staff(company, admin, branches, services, rng)
    support = _created(create_staff(admin, company.id, {"name": "Alex Agent", "email": "support@demo.test",
                                                         "external_id": "EMP-900"}, commit=False))
    customers = _customers(company, rng)
    _appointments(company, staff, customers, now, rng)
    seed_callbacks(company, branches, services, staff, customers, now)
    seed_policies(company, branches, services, staff)
    seed_users(company, admin, branches[0], support, now)
    seed_modifications(company, now)
    seed_notifications(company, branches[1], staff[0])
    seed_deliveries(company, now)
    db.session.commit()
    return company, True


def _created(outcome: Outcome):
    """The record a demo step created; the demo data must pass the rules it demonstrates."""
    assert outcome.ok, outcome.errors
    return outcome.entity


def _company(now: datetime) -> tuple[Company, User]:
    result = create_company({"name": "Demo Salons & Clinics", "slug": DEMO_SLUG, "timezone": "Europe/Berlin",
                             "default_region": "DE", "default_language": "de"},
                            {"email": "admin@demo.test", "name": "Ada Admin"}, now,
                            admin_password=DEMO_PASSWORD, commit=False)
    assert result.company is not None, result.errors
    assert result.admin is not None
    return result.company, result.admin.entity


def offered_services(services: list, index: int) -> list:
    """Every branch offers the first four services plus a rotating pair of the others."""
    return services[:4] + [services[4 + (index + k) % 3] for k in range(2)]


def _hierarchy(company, admin):
    services = [_created(create_service(admin, company.id, {
        "name": name, "duration_minutes": minutes, "price": price or "", "external_id": f"SVC-{n:02d}"},
        commit=False)) for n, (name, price, minutes) in enumerate(SERVICES, start=1)]
    branches = [_created(create_branch(admin, company.id, {
        "name": name, "city": city, "external_id": code,
        "service_ids": [str(service.id) for service in offered_services(services, index)]}, commit=False))
        for index, (name, city, code) in enumerate(BRANCHES)]
    return branches, services


def _staff(company, admin, branches, services, rng):
    people = []
    for b_index, branch in enumerate(branches):
        offered = offered_services(services, b_index)
        for s_index in range(5):
            first = FIRST[(b_index * 5 + s_index) % len(FIRST)]
            performs = sorted(rng.sample(offered, k=3), key=lambda s: s.name)
            people.append(_created(create_staff(admin, company.id, {
                "name": f"{first} {LAST[(b_index * 3 + s_index) % len(LAST)]}",
                "email": f"staff{b_index}{s_index}@demo.test", "branch_id": str(branch.id),
                "external_id": f"EMP-{b_index + 1}{s_index + 1:02d}",
                "service_ids": [str(service.id) for service in performs]}, commit=False)))
    return people


def _customers(company, rng):
    customers = []
    for index in range(40):
        name = f"{FIRST[index % len(FIRST)]} {LAST[(index * 7) % len(LAST)]}"
        customers.append(Customer(company_id=company.id, name=name,
                                  phone=f"+491511000{index:04d}", email=f"customer{index}@example.test",
                                  external_id=f"CUS-{index + 1:04d}",
                                  language="en" if index % 5 == 4 else None,
                                  consents={"email": True, "sms": index % 3 != 0} if index % 7 else {}))
    db.session.add_all(customers)
    db.session.flush()
    return customers


def _appointments(company, staff, customers, now, rng):
    day0 = datetime.combine(now.date(), time(7, 0))
    for index in range(240):
        member = staff[index % len(staff)]
        service = member.services[index % len(member.services)]
        starts = day0 + timedelta(days=rng.randint(-30, 21), hours=rng.randint(0, 9))
        status = "scheduled" if starts > now else rng.choice(("completed", "completed", "no_show"))
        db.session.add(Appointment(
            company_id=company.id, branch_id=member.branch_id, service_id=service.id,
            staff_id=member.id, customer_id=customers[rng.randrange(len(customers))].id,
            starts_at=starts, ends_at=starts + timedelta(minutes=service.duration_minutes),
            price=service.price, status=status,
        ))
    # Some appointments today, so the dashboard has something to show.
    for hour in range(9, 17, 2):
        member = staff[hour % len(staff)]
        service = member.services[0]
        starts = day0 + timedelta(hours=hour - 7)
        db.session.add(Appointment(
            company_id=company.id, branch_id=member.branch_id, service_id=service.id,
            staff_id=member.id, customer_id=customers[hour].id, starts_at=starts,
            ends_at=starts + timedelta(minutes=service.duration_minutes), price=service.price,
            status="scheduled",
        ))

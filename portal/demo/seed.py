"""The deterministic demo company (`flask seed demo`)."""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.demo.activity import seed_callbacks, seed_policies, seed_users
from portal.demo.modifications import seed_modifications
from portal.demo.notifications import seed_notifications
from portal.extensions import db
from portal.models import Appointment, Branch, Company, Customer, Service, Staff, utcnow

DEMO_SLUG = "demo"
DEMO_LOGINS = (
    ("admin@demo.test", "admin", "Admin"),
    ("manager@demo.test", "branch_manager", "Branch manager (Berlin Mitte)"),
    ("agent@demo.test", "agent", "Support agent"),
)
BRANCHES = (("Berlin Mitte", "Berlin"), ("Hamburg Altona", "Hamburg"), ("München Schwabing", "München"))
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
    """Create the demo company once; returns (company, created). Same input, same data."""
    existing = demo_company()
    if existing is not None:
        return existing, False
    now = now or utcnow()
    rng = random.Random(20261126)
    company = Company(name="Demo Salons & Clinics", slug=DEMO_SLUG, default_region="DE",
                      timezone="Europe/Berlin")
    db.session.add(company)
    db.session.flush()
    branches, services = _hierarchy(company, rng)
    staff = _staff(company, branches, rng)
    customers = _customers(company, rng)
    _appointments(company, staff, customers, now, rng)
    seed_callbacks(company, branches, services, staff, customers, now)
    seed_policies(company, branches, services, staff)
    seed_users(company, branches[0], staff[1])
    seed_modifications(company, now)
    seed_notifications(company, branches[1], staff[0])
    db.session.commit()
    return company, True


def _hierarchy(company, rng):
    services = [Service(company_id=company.id, name=name, duration_minutes=minutes,
                        price=Decimal(price) if price else None)
                for name, price, minutes in SERVICES]
    branches = [Branch(company_id=company.id, name=name, city=city) for name, city in BRANCHES]
    db.session.add_all([*services, *branches])
    for index, branch in enumerate(branches):
        # Every branch offers the first four services plus a rotating pair of the others.
        branch.services = services[:4] + [services[4 + (index + k) % 3] for k in range(2)]
    db.session.flush()
    return branches, services


def _staff(company, branches, rng):
    people = []
    for b_index, branch in enumerate(branches):
        for s_index in range(5):
            first = FIRST[(b_index * 5 + s_index) % len(FIRST)]
            name = f"{first} {LAST[(b_index * 3 + s_index) % len(LAST)]}"
            member = Staff(company_id=company.id, branch=branch, name=name,
                           email=f"staff{b_index}{s_index}@demo.test")
            offered = list(branch.services)
            member.services = sorted(rng.sample(offered, k=3), key=lambda s: s.name)
            people.append(member)
    db.session.add_all(people)
    db.session.flush()
    return people


def _customers(company, rng):
    customers = []
    for index in range(40):
        name = f"{FIRST[index % len(FIRST)]} {LAST[(index * 7) % len(LAST)]}"
        customers.append(Customer(company_id=company.id, name=name,
                                  phone=f"+491511000{index:04d}",
                                  email=f"customer{index}@example.test"))
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

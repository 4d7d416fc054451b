"""Bench data built by bulk SQL: one company per size, a chain with years of history.

A chain grows by branches and by history, not by today's work: at every size the company has
the same open backlog (2,000 callbacks), the same 2,000 upcoming appointments and the same pace
(500 callbacks, appointments and modifications a day); what grows is the number of branches
(2 / 20 / 94: ~430 / ~4,300 / ~20,000 tree nodes) and how many days of closed history lie behind
(10k / 100k / 1M rows per table: 20 days / 200 days / 5.5 years). Rows are generated inside the
database by INSERT … SELECT over a numbers table, so a million rows take about a minute; the
counters the triggers keep (migration 0008) are filled as the rows arrive, as in production.
"""
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from portal.domain.notifications import CHANNELS
from portal.extensions import db
from portal.models import (
    ApiToken,
    Branch,
    Company,
    Customer,
    NotificationConfiguration,
    PolicyConfiguration,
    Service,
    Staff,
    User,
    branch_services,
    staff_services,
)
from portal.services.notifications.read import load_events
from portal.services.organisation.api_tokens import token_hash

SERVICES, OFFERED, STAFF_PER_BRANCH, SERVICES_PER_STAFF = 16, 12, 25, 8
OPEN_BACKLOG, UPCOMING, SPACING_SECONDS = 2_000, 2_000, 173  # 86,400 / 173 ≈ 500 a day
PASSWORD = "bench-password"
TOKEN = "cbt_bench-intake-token-for-the-benchmarks-only"


@dataclass(frozen=True)
class Size:
    name: str
    rows: int  # callbacks, appointments and modifications each
    branches: int


SIZES = (Size("10k", 10_000, 2), Size("100k", 100_000, 20), Size("1M", 1_000_000, 94))


@dataclass(frozen=True)
class BenchCompany:
    id: int
    slug: str
    admin_email: str
    branch_id: int
    staff_id: int
    service_id: int  # a service the staff member performs at that branch
    nodes: int


def numbers(upto: int) -> None:
    """bench_numbers(n) for 0 <= n < upto (10^k), made from cross joins of ten digits."""
    db.session.execute(text("DROP TABLE IF EXISTS bench_numbers"))
    db.session.execute(text("DROP TABLE IF EXISTS bench_digits"))
    db.session.execute(text("CREATE TABLE bench_digits (d INTEGER PRIMARY KEY)"))
    db.session.execute(text("INSERT INTO bench_digits (d) VALUES " + ", ".join(f"({d})" for d in range(10))))
    db.session.execute(text("CREATE TABLE bench_numbers (n INTEGER PRIMARY KEY)"))
    places = len(str(upto)) - 1
    joins = ", ".join(f"bench_digits d{k}" for k in range(places))
    value = " + ".join(f"d{k}.d * {10 ** k}" for k in range(places))
    db.session.execute(text(f"INSERT INTO bench_numbers (n) SELECT {value} FROM {joins}"))
    db.session.commit()


class Sql:
    """The few expressions whose spelling differs between MariaDB and SQLite."""

    def __init__(self):
        self.mysql = db.engine.dialect.name == "mysql"

    def seconds_before(self, now: datetime, seconds: str) -> str:
        if self.mysql:
            return f"TIMESTAMPADD(SECOND, -({seconds}), '{now:%Y-%m-%d %H:%M:%S}')"
        return f"datetime('{now:%Y-%m-%d %H:%M:%S}', (-({seconds})) || ' seconds')"

    def plus_minutes(self, moment: str, minutes: str) -> str:
        if self.mysql:
            return f"TIMESTAMPADD(MINUTE, {minutes}, {moment})"
        return f"datetime({moment}, ({minutes}) || ' minutes')"

    def div(self, number: str, by: int) -> str:
        return f"({number} DIV {by})" if self.mysql else f"({number} / {by})"

    def text(self, prefix: str, number: str, width: int) -> str:
        if self.mysql:
            return f"CONCAT('{prefix}', LPAD({number}, {width}, '0'))"
        return f"'{prefix}' || printf('%0{width}d', {number})"


def build(size: Size, now: datetime) -> BenchCompany:
    """One company of `size`, its hierarchy, configuration and history."""
    rng = random.Random(size.rows)
    company = Company(name=f"Bench Chain {size.name}", slug=f"bench-{size.name.lower()}", timezone="Europe/Berlin")
    db.session.add(company)
    db.session.flush()
    staff_ids, branch_ids, service_ids = _hierarchy(company.id, size.branches, rng)
    _configuration(company.id, branch_ids, service_ids, [s for s, _ in staff_ids])
    admin = User(company_id=company.id, email=f"bench@{company.slug}.test", name="Bench Admin", role="admin")
    admin.set_password(PASSWORD)
    db.session.add(admin)
    db.session.add(ApiToken(company_id=company.id, name="Bench intake", token_hash=token_hash(TOKEN + company.slug),
                            hint=TOKEN[:8], created_at=now))
    db.session.commit()
    _helper_tables(company.id)
    _history(company.id, size, now)
    member, branch_id = staff_ids[0]
    service_id = db.session.scalar(select(staff_services.c.service_id).where(staff_services.c.staff_id == member)
                                   .order_by(staff_services.c.service_id).limit(1))
    nodes = 1 + size.branches * (1 + OFFERED + STAFF_PER_BRANCH * SERVICES_PER_STAFF)
    return BenchCompany(company.id, company.slug, admin.email, branch_id, member, service_id or 0, nodes)


def _hierarchy(company_id: int, branch_count: int, rng) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    services = [Service(company_id=company_id, name=f"Service {n:02d}", price=Decimal("40.00"))
                for n in range(SERVICES)]
    branches = [Branch(company_id=company_id, name=f"Branch {n:03d}") for n in range(branch_count)]
    db.session.add_all(services + branches)
    db.session.flush()
    offers, performs, staff = [], [], []
    for branch in branches:
        offered = rng.sample(services, OFFERED)
        offers += [{"branch_id": branch.id, "service_id": s.id} for s in offered]
        for n in range(STAFF_PER_BRANCH):
            member = Staff(company_id=company_id, branch_id=branch.id, name=f"{branch.name} staff {n:02d}")
            staff.append((member, rng.sample(offered, SERVICES_PER_STAFF)))
    db.session.add_all([member for member, _ in staff])
    db.session.flush()
    performs = [{"staff_id": m.id, "service_id": s.id} for m, does in staff for s in does]
    db.session.execute(insert(branch_services), offers)
    db.session.execute(insert(staff_services), performs)
    return ([(m.id, m.branch_id) for m, _ in staff], [b.id for b in branches], [s.id for s in services])


def _configuration(company_id: int, branches: list[int], services: list[int], staff: list[int]) -> None:
    """Policy rows on every level (cancellation and callback) and notification rows likewise."""
    rows = [("company", company_id, "cancellation", {"hours_before": 24, "fee": "10.00",
                                                      "max_cancellations_per_month": 3}),
            ("company", company_id, "callback", {"sla_minutes_normal": 1440})]
    rows += [("branch", b, "cancellation", {"hours_before": 48}) for b in branches[::2]]
    rows += [("service", s, "cancellation", {"fee_percentage": "20.00"}) for s in services[::3]]
    rows += [("staff", m, "cancellation", {"max_cancellations_per_month": "unlimited"}) for m in staff[::10]]
    rows += [("branch", b, "callback", {"due_soon_minutes": 45}) for b in branches[::3]]
    db.session.add_all(PolicyConfiguration(company_id=company_id, configurable_type=level, configurable_id=ident,
                                           policy_type=kind, config=config) for level, ident, kind, config in rows)
    events = [event.event_type for event in load_events()]
    cells = [("company", company_id, e, c, {"retry_count": 2}) for e in events for c in CHANNELS]
    cells += [("branch", b, e, "sms", {"retry_count": 5, "fallback_channel": "email"})
              for b in branches[::2] for e in events]
    cells += [("service", s, e, "whatsapp", {"is_enabled": True}) for s in services[::3] for e in events[:6]]
    cells += [("staff", m, events[m % len(events)], "email", {"template_override": "staff/custom"})
              for m in staff[::10]]
    db.session.add_all(NotificationConfiguration(company_id=company_id, configurable_type=level,
                                                 configurable_id=ident, event_type=event, channel=channel, **s)
                       for level, ident, event, channel, s in cells)


def _helper_tables(company_id: int) -> None:
    """bench_branch(k, id) and bench_staff(branch k, k, id): pick a branch and its staff by number."""
    for name in ("bench_branch", "bench_staff"):
        db.session.execute(text(f"DROP TABLE IF EXISTS {name}"))
    db.session.execute(text("CREATE TABLE bench_branch (k INTEGER PRIMARY KEY, id INTEGER)"))
    db.session.execute(text("CREATE TABLE bench_staff (b INTEGER, k INTEGER, id INTEGER, PRIMARY KEY (b, k))"))
    branches = db.session.scalars(select(Branch.id).where(Branch.company_id == company_id).order_by(Branch.id)).all()
    db.session.execute(text("INSERT INTO bench_branch (k, id) VALUES (:k, :id)"),
                       [{"k": k, "id": ident} for k, ident in enumerate(branches)])
    staff = db.session.execute(select(Staff.id, Staff.branch_id).where(Staff.company_id == company_id)
                               .order_by(Staff.id)).all()
    position = {ident: k for k, ident in enumerate(branches)}
    per_branch: dict[int, int] = {}
    rows = []
    for ident, branch_id in staff:
        k = per_branch.get(branch_id, 0)
        per_branch[branch_id] = k + 1
        rows.append({"b": position[branch_id], "k": k, "id": ident})
    db.session.execute(text("INSERT INTO bench_staff (b, k, id) VALUES (:b, :k, :id)"), rows)
    db.session.commit()


def _history(company_id: int, size: Size, now: datetime) -> None:
    sql, n_rows, branches = Sql(), size.rows, size.branches
    customers = n_rows // 10
    db.session.execute(text(f"""INSERT INTO customers (company_id, name, phone, email, consents,
                                                     created_at, updated_at)
        SELECT {company_id}, {sql.text('Customer ', 'n', 7)}, {sql.text('+49152', 'n', 8)}, NULL, '{{}}',
               '{now:%Y-%m-%d %H:%M:%S}', '{now:%Y-%m-%d %H:%M:%S}' FROM bench_numbers WHERE n < {customers}"""))
    first_customer = db.session.scalar(select(func.min(Customer.id)).where(Customer.company_id == company_id))
    first_service = db.session.scalar(select(func.min(Service.id)).where(Service.company_id == company_id))
    db.session.commit()
    _appointments(sql, company_id, n_rows, branches, first_customer, first_service, customers, now)
    _modifications(sql, company_id, n_rows, now)
    _callbacks(sql, company_id, n_rows, branches, now)


def _appointments(sql, company_id, n_rows, branches, first_customer, first_service, customers, now) -> None:
    """n_rows of history (cancelled or completed, one every 173 s) and 2,000 upcoming ones."""
    for offset, count, status in ((0, n_rows, "CASE WHEN (n % 2) = 0 THEN 'cancelled' ELSE 'completed' END"),
                                  (n_rows, UPCOMING, "'scheduled'")):
        starts = sql.seconds_before(now, f"({n_rows} - n - {offset}) * {SPACING_SECONDS}")
        db.session.execute(text(f"""INSERT INTO appointments (company_id, branch_id, service_id, staff_id,
                customer_id, starts_at, ends_at, price, status, created_at, updated_at)
            SELECT {company_id}, b.id, {first_service} + (n % {SERVICES}), s.id,
                   {first_customer} + ((n * 7) % {customers}), {starts}, {sql.plus_minutes(starts, '30')}, 40.00,
                   {status}, {starts}, {starts}
            FROM bench_numbers JOIN bench_branch b ON b.k = (n % {branches})
                 JOIN bench_staff s ON s.b = b.k AND s.k = ({sql.div('n', branches)} % {STAFF_PER_BRANCH})
            WHERE n < {count}"""))
        db.session.commit()


def _modifications(sql, company_id, n_rows, now) -> None:
    """One modification every 173 s, each of a past appointment (and its customer)."""
    first = db.session.scalar(text(f"SELECT MIN(id) FROM appointments WHERE company_id = {company_id}"))
    at = sql.seconds_before(now, f"({n_rows} - n) * {SPACING_SECONDS} - 60")
    db.session.execute(text(f"""INSERT INTO appointment_modifications (company_id, appointment_id, customer_id,
            modification_type, within_policy, fee_charged, reason, modified_by_type, modified_by_id, metadata,
            created_at, updated_at)
        SELECT {company_id}, a.id, a.customer_id, CASE WHEN (n % 3) = 2 THEN 'reschedule' ELSE 'cancel' END,
               (n % 5) <> 0, CASE WHEN (n % 10) < 3 THEN 15.00 ELSE 0.00 END, NULL, 'system', NULL, '{{}}',
               {at}, {at}
        FROM bench_numbers JOIN appointments a ON a.id = {first} + n WHERE n < {n_rows}"""))
    db.session.commit()


def _callbacks(sql, company_id, n_rows, branches, now) -> None:
    """Closed history (70 % completed, 20 % cancelled, 10 % expired) and the open backlog last."""
    created = sql.seconds_before(now, f"({n_rows} - n) * {SPACING_SECONDS}")
    status = (f"CASE WHEN n >= {n_rows - OPEN_BACKLOG} THEN CASE (n % 3) WHEN 0 THEN 'pending' "
              "WHEN 1 THEN 'assigned' ELSE 'contacted' END WHEN (n % 10) < 7 THEN 'completed' "
              "WHEN (n % 10) < 9 THEN 'cancelled' ELSE 'expired' END")
    priority = "CASE (n % 6) WHEN 5 THEN 'urgent' WHEN 4 THEN 'high' WHEN 3 THEN 'high' ELSE 'normal' END"
    rank = "CASE (n % 6) WHEN 5 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 1 ELSE 2 END"
    assigned = (f"CASE WHEN n >= {n_rows - OPEN_BACKLOG} AND (n % 3) = 0 THEN NULL "
                "WHEN (n % 10) = 8 THEN NULL ELSE s.id END")
    completed = (f"CASE WHEN n < {n_rows - OPEN_BACKLOG} AND (n % 10) < 7 THEN "
                 f"{sql.plus_minutes(created, '(n % 2000)')} ELSE NULL END")
    db.session.execute(text(f"""INSERT INTO callback_requests (company_id, branch_id, phone_number, customer_name,
            preferred_time_window, priority, priority_rank, status, assigned_to, completed_at, expires_at,
            contact_attempts, metadata, version, created_at, updated_at)
        SELECT {company_id}, b.id, {sql.text('+49151', 'n', 8)}, {sql.text('Caller ', 'n', 7)}, '{{}}',
               {priority}, {rank}, {status}, {assigned}, {completed}, {sql.plus_minutes(created, '1440')},
               (n % 3), '{{}}', 1, {created}, {created}
        FROM bench_numbers JOIN bench_branch b ON b.k = (n % {branches})
             JOIN bench_staff s ON s.b = b.k AND s.k = ({sql.div('n', branches)} % {STAFF_PER_BRANCH})
        WHERE n < {n_rows}"""))
    db.session.commit()

"""Benchmark: `flask stats refresh` over 100,000 modifications of 20,000 customers.

    python -m tests.benchmarks.stats_refresh --engine mariadb --redis redis://127.0.0.1:6379/7
    python -m tests.benchmarks.stats_refresh --engine sqlite

Builds 4 companies × 5,000 customers with 100,000 modifications spread over the last 120 days,
then reports in one run: time and peak Python memory (tracemalloc) of our refresh (company by
company, customers in id batches, counted by GROUP BY, each batch replaced in one transaction)
against a baseline that loads every modification of the 90-day window into the process and counts
there; a second refresh (idempotent: the same rows); and one real decision with its quota check
at this size (queries and time).
"""
import argparse
import gc
import random
import resource
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete, func, insert, select

from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentModification,
    AppointmentModificationStat,
    Branch,
    Company,
    Customer,
    Service,
    utcnow,
)
from portal.services.appointments.read import find_appointment
from portal.services.modifications.policy import propose
from portal.services.modifications.stats import BATCH_SIZE, refresh_stats
from portal.services.scope import Scope
from tests.benchmarks.common import bench_app, fresh_database, quiet_logs, timed
from tests.support import QueryCounter

COMPANIES, CUSTOMERS, MODIFICATIONS, CHUNK = 4, 20_000, 100_000, 5_000


def _chunks(rows, size=CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _companies() -> list[tuple[int, int, int]]:
    """(company, branch, service) ids of the bench companies."""
    made = []
    for n in range(COMPANIES):
        company = Company(name=f"Bench {n}", slug=f"bench-stats-{n}")
        db.session.add(company)
        db.session.flush()
        branch = Branch(company_id=company.id, name="Main")
        service = Service(company_id=company.id, name="Cut")
        db.session.add_all([branch, service])
        db.session.flush()
        made.append((company.id, branch.id, service.id))
    return made


def _customers(companies, now) -> dict[int, list[int]]:
    per_company = CUSTOMERS // COMPANIES
    for company_id, _, _ in companies:
        for chunk in _chunks([{"company_id": company_id, "name": f"Customer {i}", "created_at": now,
                               "updated_at": now} for i in range(per_company)]):
            db.session.execute(insert(Customer), chunk)
    return {cid: list(db.session.scalars(select(Customer.id).where(Customer.company_id == cid)))
            for cid, _, _ in companies}


def _appointments(companies, customers, now, rng) -> None:
    """One (cancelled) appointment per two modifications, over the last 130 days."""
    for company_id, branch_id, service_id in companies:
        rows = []
        for customer_id in rng.choices(customers[company_id], k=MODIFICATIONS // COMPANIES // 2):
            starts = now - timedelta(days=rng.randint(0, 130))
            rows.append({"company_id": company_id, "branch_id": branch_id, "service_id": service_id,
                         "customer_id": customer_id, "starts_at": starts,
                         "ends_at": starts + timedelta(hours=1), "price": Decimal("40.00"),
                         "status": "cancelled", "created_at": now, "updated_at": now})
        for chunk in _chunks(rows):
            db.session.execute(insert(Appointment), chunk)


def _modifications(now, rng) -> None:
    """Two modifications per appointment, spread over the last 120 days."""
    rows = []
    for appointment_id, company_id, customer_id in db.session.execute(
            select(Appointment.id, Appointment.company_id, Appointment.customer_id)):
        for _ in range(2):
            at = now - timedelta(seconds=rng.randint(0, 120 * 86400))
            rows.append({"company_id": company_id, "appointment_id": appointment_id,
                         "customer_id": customer_id,
                         "modification_type": rng.choice(("cancel", "cancel", "reschedule")),
                         "within_policy": True, "fee_charged": Decimal("0.00"),
                         "modified_by_type": "system", "metadata": {}, "created_at": at, "updated_at": at})
    for chunk in _chunks(rows):
        db.session.execute(insert(AppointmentModification.__table__), chunk)


def build(now) -> None:
    """The data set, bulk inserted so building stays quick."""
    rng = random.Random(6)
    companies = _companies()
    _appointments(companies, _customers(companies, now), now, rng)
    _modifications(now, rng)
    db.session.commit()


def baseline_refresh(now) -> int:
    """The obvious way: every modification of the 90-day window into memory, counted in Python,
    then all rows written at once."""
    model = AppointmentModification
    start90, start30 = now - timedelta(days=90), now - timedelta(days=30)
    counts: dict = {}
    window = select(model).where(model.created_at > start90, model.created_at <= now)
    for record in db.session.scalars(window):
        for name, start in (("30d", start30), ("90d", start90)):
            if record.created_at > start:
                key = (record.company_id, record.customer_id, f"{record.modification_type}_{name}")
                counts[key] = counts.get(key, 0) + 1
    rows = [{"company_id": company_id, "customer_id": customer_id, "stat_type": f"{kind}_{name}",
             "period_start": now - timedelta(days=days), "period_end": now,
             "count": counts.get((company_id, customer_id, f"{kind}_{name}"), 0),
             "calculated_at": now, "created_at": now, "updated_at": now}
            for company_id, customer_id in db.session.execute(select(Customer.company_id, Customer.id))
            for kind in ("cancel", "reschedule") for name, days in (("30d", 30), ("90d", 90))]
    db.session.execute(delete(AppointmentModificationStat))
    db.session.execute(insert(AppointmentModificationStat), rows)
    db.session.commit()
    return len(rows)


def measured(fn):
    """(result, seconds, peak MiB of Python allocations): one plain run for the time, then one
    under tracemalloc for the memory (tracing slows allocation several times over). Both
    refreshes are idempotent, so running each twice changes nothing."""
    db.session.expunge_all()
    gc.collect()
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    db.session.expunge_all()
    gc.collect()
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def snapshot():
    stat = AppointmentModificationStat
    columns = (stat.company_id, stat.customer_id, stat.stat_type, stat.count)
    return sorted(db.session.execute(select(*columns)).all())


def decision_at_size(now) -> tuple[int, float]:
    """Queries and milliseconds of one real decision with its quota check, at this data size."""
    appointment_id, company_id = db.session.execute(
        select(Appointment.id, Appointment.company_id).order_by(Appointment.id.desc()).limit(1)).one()
    db.session.execute(Appointment.__table__.update().where(Appointment.id == appointment_id)
                       .values(status="scheduled", starts_at=now + timedelta(days=2)))
    db.session.commit()

    def decide_once():
        db.session.expunge_all()
        return propose(find_appointment(Scope(company_id, None, None), appointment_id), "cancel", now)

    with QueryCounter(db.engine) as counter:
        decide_once()
    return counter.count, min(timed(decide_once, 20))


def measure(engine: str, redis_url: str | None, batch_size: int) -> dict:
    app = bench_app(fresh_database(engine, "portal_appointments"), redis_url)
    results = {"engine": engine, "batch_size": batch_size}
    with app.app_context():
        now = utcnow().replace(microsecond=0)
        started = time.perf_counter()
        build(now)
        results["build_s"] = time.perf_counter() - started
        results["modifications"] = db.session.scalar(select(func.count(AppointmentModification.id)))
        results["customers"] = db.session.scalar(select(func.count(Customer.id)))
        started = time.perf_counter()
        results["rows"] = refresh_stats(now, batch_size).rows
        results["first_s"], first = time.perf_counter() - started, snapshot()  # into an empty table
        _, results["ours_s"], results["ours_mib"] = measured(lambda: refresh_stats(now, batch_size))
        results["idempotent"] = snapshot() == first
        baseline = measured(lambda: baseline_refresh(now))
        results["baseline_rows"], results["base_s"], results["base_mib"] = baseline
        results["same_counts"] = snapshot() == first
        results["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results["decision_queries"], results["decision_ms"] = decision_at_size(now)
    return results


def report(r: dict) -> None:
    print(f"\n## Stats refresh benchmark — {r['engine']}: {r['modifications']:,} modifications, "
          f"{r['customers']:,} customers (data built in {r['build_s']:.0f} s)")
    print("| measure | ours (batched GROUP BY) | baseline (all rows in memory) | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| time | {r['ours_s']:.2f} s | {r['base_s']:.2f} s | {r['base_s'] / r['ours_s']:.1f}× |")
    print(f"| peak Python memory (tracemalloc) | {r['ours_mib']:.1f} MiB | {r['base_mib']:.1f} MiB | "
          f"{r['base_mib'] / r['ours_mib']:.0f}× less |")
    print(f"| rows written | {r['rows']:,} | {r['baseline_rows']:,} | same counts: {r['same_counts']} |")
    print(f"\nFirst refresh into the empty table: {r['first_s']:.2f} s; the timed ones replace every row "
          f"(idempotent, same rows: {r['idempotent']}); batch size {r['batch_size']}; "
          f"process max RSS {r['max_rss_mib']:.0f} MiB.")
    print(f"One decision with its quota check at this size: {r['decision_queries']} queries, "
          f"{r['decision_ms']:.1f} ms.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "mariadb"), default="mariadb")
    parser.add_argument("--redis", default=None, help="Redis URL for the cache (default: in-process)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args()
    with quiet_logs():
        report(measure(args.engine, args.redis, args.batch_size))


if __name__ == "__main__":
    main()

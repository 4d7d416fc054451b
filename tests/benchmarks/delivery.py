"""Notification delivery: one worker's deliveries per minute to a local SMTP sink, and planning
reminders for many upcoming appointments (time and peak memory), each against a baseline of the
same run.

    python -m tests.benchmarks.delivery --engine sqlite --sizes 10k,30k,100k
    python -m tests.benchmarks.delivery --engine mariadb --sizes 10k,30k,100k

- Throughput: N cancellation notices due now, one `dispatch_due` worker sending them to aiosmtpd
  in this process; baseline: the same N messages sent by `smtp_send` alone (no database, no
  claim, no template) — the ratio is what the outbox costs over bare SMTP.
- Planning: `plan_reminders` for a company with `size` scheduled appointments in the next weeks
  (customers consenting to email), one run for the time, a second under tracemalloc for the peak;
  baseline: inserting the same number of delivery rows with one bulk INSERT per 5,000.
"""
import argparse
import gc
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete, func, insert, select

from portal.extensions import db
from portal.models import (
    Appointment,
    Branch,
    Company,
    Customer,
    Delivery,
    DeliveryAttempt,
    Service,
    Staff,
    utcnow,
)
from portal.services.delivery.channels import Envelope, smtp_send
from portal.services.delivery.dispatch import dispatch_due
from portal.services.delivery.outbox import Outbox
from portal.services.delivery.reminders import plan_reminders
from portal.services.delivery.templates import Message
from tests.benchmarks.common import bench_app, drop_database, fresh_database, quiet_logs
from tests.delivery.support import SmtpSink

SIZES = {"1k": 1_000, "10k": 10_000, "30k": 30_000, "100k": 100_000}
CHUNK = 5_000


def company_with_appointments(count: int, now) -> int:
    """A company with one branch, service and staff member, and `count` upcoming appointments of
    as many customers (email consent), built by bulk INSERTs."""
    company = Company(name=f"Bench {count}", slug=f"bench-{count}-{time.time_ns()}")
    db.session.add(company)
    db.session.flush()
    branch = Branch(company_id=company.id, name="Mitte")
    service = Service(company_id=company.id, name="Cut", price=Decimal("40.00"))
    db.session.add_all([branch, service])
    db.session.flush()
    staff = Staff(company_id=company.id, branch_id=branch.id, name="Ann")
    db.session.add(staff)
    db.session.flush()
    first = db.session.scalar(select(func.coalesce(func.max(Customer.id), 0))) + 1
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        db.session.execute(insert(Customer), [
            {"id": first + start + i, "company_id": company.id, "name": f"Customer {start + i}",
             "email": f"c{start + i}@bench.test", "consents": {"email": True}, "created_at": now,
             "updated_at": now} for i in range(n)])
        db.session.execute(insert(Appointment), [
            {"company_id": company.id, "branch_id": branch.id, "service_id": service.id, "staff_id": staff.id,
             "customer_id": first + start + i, "status": "scheduled", "price": Decimal("40.00"),
             "starts_at": now + timedelta(days=9, minutes=7 * (start + i)),
             "ends_at": now + timedelta(days=9, minutes=7 * (start + i) + 30), "created_at": now,
             "updated_at": now} for i in range(n)])
    db.session.commit()
    return company.id


def planning(size: int, now) -> dict:
    company_id = company_with_appointments(size, now)

    def plan():
        return plan_reminders(company_id, now)

    def forget():
        db.session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.company_id == company_id))
        db.session.execute(delete(Delivery).where(Delivery.company_id == company_id))
        db.session.commit()
        db.session.expunge_all()
        gc.collect()

    started = time.perf_counter()
    planned = plan()
    seconds = time.perf_counter() - started
    forget()
    tracemalloc.start()
    plan()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    forget()

    def baseline():
        rows = [{"company_id": company_id, "event_type": "reminder_24h", "status": "pending", "fire_at": now,
                 "node_path": f"company:{company_id}", "recipient_name": "x", "language": "de", "values": {},
                 "plan": {}, "created_at": now, "updated_at": now} for _ in range(planned)]
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(Delivery), rows[start:start + CHUNK])
        db.session.commit()

    started = time.perf_counter()
    baseline()
    base_seconds = time.perf_counter() - started
    forget()
    return {"size": size, "planned": planned, "seconds": seconds, "peak_mib": peak, "baseline": base_seconds}


def throughput(count: int, now) -> dict:
    company_id = company_with_appointments(count, now - timedelta(days=30))
    appointments = db.session.scalars(select(Appointment).where(Appointment.company_id == company_id)).all()
    outbox = Outbox(company_id)
    for appointment in appointments:
        outbox.emit("cancellation", appointment=appointment, values={"fee": "", "reason": ""}, now=now)
    db.session.commit()
    with SmtpSink() as sink:
        from flask import current_app

        current_app.config["SMTP_URL"] = sink.url
        started = time.perf_counter()
        made = dispatch_due(now)
        seconds = time.perf_counter() - started
        envelope = Envelope(1, 1, company_id, "cancellation", "email", "de", "x", "x@bench.test", None, None,
                            "bench@bench.test")
        message = Message("Subject", "Text " * 40, "<p>Text</p>", "Text")
        started = time.perf_counter()
        for _ in range(count):
            smtp_send(sink.url, envelope, message)
        base = time.perf_counter() - started
        assert len(sink.inbox.messages) == made + count
    return {"count": made, "per_minute": made / seconds * 60, "baseline_per_minute": count / base * 60}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("sqlite", "mariadb"), default="sqlite")
    parser.add_argument("--sizes", default="10k,30k,100k")
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    name = "bench_delivery"
    app = bench_app(fresh_database(args.engine, name), None)
    now = utcnow().replace(microsecond=0)
    try:
        with quiet_logs(), app.app_context():
            result = throughput(args.messages, now)
            print("| deliveries | one worker /min | bare SMTP /min | ratio |\n|---|---|---|---|")
            print(f"| {result['count']} | {result['per_minute']:,.0f} | {result['baseline_per_minute']:,.0f} | "
                  f"{result['per_minute'] / result['baseline_per_minute']:.2f} |")
            print("\n| appointments | reminders planned | seconds | per 1k appts | peak MiB | bulk INSERT s | ratio |")
            print("|---|---|---|---|---|---|---|")
            for label in args.sizes.split(","):
                row = planning(SIZES[label], now)
                print(f"| {row['size']:,} | {row['planned']:,} | {row['seconds']:.1f} | "
                      f"{row['seconds'] / row['size'] * 1000:.2f} | {row['peak_mib']:.1f} | {row['baseline']:.1f} | "
                      f"{row['seconds'] / max(row['baseline'], 1e-9):.1f} |", flush=True)
    finally:
        drop_database(args.engine, name)


if __name__ == "__main__":
    main()

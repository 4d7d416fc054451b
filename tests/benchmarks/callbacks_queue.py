"""Benchmark: the callback queue with 100,000 callbacks in one company.

    python -m tests.benchmarks.callbacks_queue --engine mariadb --redis redis://127.0.0.1:6379/11
    python -m tests.benchmarks.callbacks_queue --engine sqlite

Reports the server time (p50/p95, the whole request: queries, tab counts, badges, rendering) of the
queue's first page, of a page 1,000 pages deep, and of a filtered page; the target is p95 ≤ 100 ms
on MariaDB. Baseline in the same run: the deep page read with LIMIT/OFFSET (what a numbered
pager does) against the seek read the queue uses, both as bare queries.
"""
import os
import random
from datetime import timedelta

from sqlalchemy import insert, select, text

from portal.extensions import db
from portal.models import PRIORITY_RANK, Branch, Company, Staff, User, utcnow
from portal.models import CallbackRequest as CR
from portal.services.callbacks.queue import Key, QueueFilter, filter_criteria, page_keys
from portal.services.scope import Scope
from tests.benchmarks.common import bench_app, fresh_database, p50_p95, run_benchmark, timed

CALLBACKS, BRANCHES, STAFF, PAGE, DEEP_PAGE, REPEAT = 100_000, 20, 100, 25, 1_000, 40
# Of 100,000 requests most are history; 45 % still open is a heavy day's backlog.
STATUSES = (("pending", 20), ("assigned", 15), ("contacted", 10), ("completed", 40), ("cancelled", 10),
            ("expired", 5))
OPEN = ("pending", "assigned", "contacted")


def build_company() -> int:
    rng = random.Random(4)
    company = Company(name="Bench Callbacks", slug="bench-callbacks")
    db.session.add(company)
    db.session.flush()
    branches = [Branch(company_id=company.id, name=f"Branch {n:02d}") for n in range(BRANCHES)]
    db.session.add_all(branches)
    db.session.flush()
    staff = [Staff(company_id=company.id, branch_id=branches[n % BRANCHES].id, name=f"Staff {n:03d}")
             for n in range(STAFF)]
    db.session.add_all(staff)
    admin = User(company_id=company.id, email="bench@callbacks.test", name="Bench", role="admin")
    admin.set_password("bench-password")
    db.session.add(admin)
    db.session.flush()
    now = utcnow().replace(microsecond=0)
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    rows = []
    for n in range(CALLBACKS):
        status = rng.choice(statuses)
        priority = rng.choice(("normal", "normal", "normal", "high", "high", "urgent"))
        member = rng.choice(staff) if status != "pending" else None
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
        rows.append({
            "company_id": company.id, "branch_id": (member.branch_id if member else rng.choice(branches).id),
            "phone_number": f"+49151{n:08d}", "customer_name": f"Customer {n:06d}", "priority": priority,
            "priority_rank": PRIORITY_RANK[priority], "status": status, "assigned_to": member.id if member else None,
            "expires_at": now + timedelta(minutes=rng.randint(-60 * 24 * 7, 60 * 24 * 3)),
            "contact_attempts": rng.randint(0, 3), "created_at": created, "updated_at": created,
            "preferred_time_window": {}, "meta": {}, "version": 1})
        if len(rows) == 5_000:
            db.session.execute(insert(CR), rows)
            rows = []
    db.session.commit()
    return company.id


def deep_token(company_id: int) -> str:
    """The page link of page DEEP_PAGE of the open tab (what 999 clicks on "Next" lead to)."""
    keys = db.session.execute(select(CR.expires_at, CR.priority_rank, CR.id).where(
        CR.company_id == company_id, CR.status.in_(OPEN))).all()
    keys.sort()
    return Key(0, *keys[(DEEP_PAGE - 1) * PAGE - 1]).token()


def offset_page(company_id: int):
    """Baseline: the same page by LIMIT/OFFSET over the queue order."""
    return db.session.execute(
        select(CR.id).where(CR.company_id == company_id, CR.status.in_(OPEN))
        .order_by(CR.expires_at, CR.priority_rank, CR.id).limit(PAGE).offset((DEEP_PAGE - 1) * PAGE)).all()


def seek_page(company_id: int, token: str):
    scope = Scope(company_id, None, None)
    return page_keys(filter_criteria(scope, QueueFilter(), "DE", utcnow()), QueueFilter(), utcnow(),
                     Key.parse(token), PAGE)


def measure(engine: str, redis_url: str | None) -> dict:
    app = bench_app(fresh_database(engine, "portal_callbacks_bench"), redis_url)
    results = {"engine": engine + (" + Redis" if redis_url else " + in-process cache")}
    with app.app_context():
        company_id = build_company()
        if db.engine.dialect.name == "mysql":  # fresh statistics, as a server that has been running has
            db.session.execute(text("ANALYZE TABLE callback_requests"))
        token = deep_token(company_id)
        branch_id = db.session.scalar(select(Branch.id).where(Branch.company_id == company_id).limit(1))
        results["open"] = db.session.scalar(select(db.func.count()).where(CR.company_id == company_id, CR.status.in_(OPEN)))
        seek_ids = seek_page(company_id, token).ids
        assert seek_ids == [row.id for row in offset_page(company_id)], "seek and offset disagree"
        results["offset_query"] = p50_p95(timed(lambda: offset_page(company_id), REPEAT))
        results["seek_query"] = p50_p95(timed(lambda: seek_page(company_id, token), REPEAT))
    client = app.test_client()
    client.post("/login", data={"email": "bench@callbacks.test", "password": "bench-password"})
    pages = {
        "first page": "/callbacks/",
        f"page {DEEP_PAGE:,}": f"/callbacks/?after={token}&page={DEEP_PAGE}",
        "filtered: one branch, urgent, unassigned": f"/callbacks/?branch={branch_id}&priority=urgent&assignee=unassigned",
        "filtered: overdue, all branches": "/callbacks/?overdue=1",
        "search by name (no index can help)": "/callbacks/?q=Customer+0420",
    }
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response.data.count(b'data-callback="') in range(1, PAGE + 1), url
        timed(lambda url=url: client.get(url), 5)  # warm-up: steady state, not the first request after the load
        results[label] = p50_p95(timed(lambda url=url: client.get(url), REPEAT))
    results["load"] = os.getloadavg()[0]
    return results


def report(r: dict) -> None:
    print(f"\n## Callback queue benchmark — {r['engine']}, {CALLBACKS:,} callbacks ({r['open']:,} open), "
          f"{PAGE} per page")
    print("| page (server time, whole request) | p50 | p95 |\n| --- | --- | --- |")
    for label, value in r.items():
        if label not in ("engine", "open", "offset_query", "seek_query", "load"):
            print(f"| {label} | {value[0]:.0f} ms | {value[1]:.0f} ms |")
    print(f"\n| page {DEEP_PAGE:,}, query only | p50 | p95 |\n| --- | --- | --- |")
    print(f"| seek (ours) | {r['seek_query'][0]:.1f} ms | {r['seek_query'][1]:.1f} ms |")
    print(f"| LIMIT/OFFSET (baseline) | {r['offset_query'][0]:.1f} ms | {r['offset_query'][1]:.1f} ms |")
    print(f"\n(load average while measuring: {r['load']:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    run_benchmark(__doc__, measure, report)

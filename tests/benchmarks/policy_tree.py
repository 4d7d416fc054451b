"""Benchmark: whole-tree policy resolution vs the original per-node walk up the ancestors.

    python -m tests.benchmarks.policy_tree --engine mariadb --redis redis://127.0.0.1:6379/13
    python -m tests.benchmarks.policy_tree --engine sqlite

Builds one company with more than 4,000 tree nodes, then reports in one run: queries and time of
whole-tree resolution vs a per-node walk; the tree page's server time (p50/p95); one cached vs
one uncached effective_policy() lookup.
"""
import random

from sqlalchemy import insert, select

from portal.domain.policies import LevelRow, resolve
from portal.extensions import cache, db
from portal.models import (
    Branch,
    Company,
    PolicyConfiguration,
    Service,
    Staff,
    User,
    branch_services,
    staff_services,
)
from portal.services.organisation.hierarchy import load_tree_input
from portal.services.policies.read import company_tree
from tests.benchmarks.common import bench_app, fresh_database, p50_p95, run_benchmark, timed
from tests.support import QueryCounter

BRANCHES, SERVICES, OFFERED, STAFF_PER_BRANCH, SERVICES_PER_STAFF = 20, 16, 12, 25, 8


def build_company() -> int:
    """20 branches × 12 offered services × 25 staff doing 8 each: 4,261 tree nodes."""
    rng = random.Random(7)
    company = Company(name="Bench Co", slug="bench")
    db.session.add(company)
    db.session.flush()
    services = [Service(company_id=company.id, name=f"Service {n:02d}") for n in range(SERVICES)]
    branches = [Branch(company_id=company.id, name=f"Branch {n:02d}") for n in range(BRANCHES)]
    db.session.add_all(services + branches)
    db.session.flush()
    offer_rows, perform_rows, staff = [], [], []
    for branch in branches:
        offered = rng.sample(services, OFFERED)
        offer_rows += [{"branch_id": branch.id, "service_id": s.id} for s in offered]
        for n in range(STAFF_PER_BRANCH):
            member = Staff(company_id=company.id, branch_id=branch.id, name=f"{branch.name} staff {n:02d}")
            staff.append((member, rng.sample(offered, SERVICES_PER_STAFF)))
    db.session.add_all([member for member, _ in staff])
    db.session.flush()
    perform_rows = [{"staff_id": m.id, "service_id": s.id} for m, does in staff for s in does]
    db.session.execute(insert(branch_services), offer_rows)
    db.session.execute(insert(staff_services), perform_rows)
    rows = [("company", company.id, {"hours_before": 24, "fee": "10.00", "max_cancellations_per_month": 3})]
    rows += [("branch", b.id, {"hours_before": 48}) for b in branches[::2]]
    rows += [("service", s.id, {"fee_percentage": "20.00"}) for s in services[::3]]
    rows += [("staff", m.id, {"max_cancellations_per_month": "unlimited"}) for m, _ in staff[::10]]
    db.session.add_all(PolicyConfiguration(company_id=company.id, configurable_type=level, configurable_id=ident,
                                           policy_type="cancellation", config=config)
                       for level, ident, config in rows)
    admin = User(company_id=company.id, email="bench@bench.test", name="Bench", role="admin")
    admin.set_password("bench-password")
    db.session.add(admin)
    db.session.commit()
    return company.id


def row_at(company_id, level, ident):
    """The original system's lookup: one query per level of every node."""
    row = db.session.scalar(select(PolicyConfiguration.config).where(
        PolicyConfiguration.company_id == company_id, PolicyConfiguration.policy_type == "cancellation",
        PolicyConfiguration.configurable_type == level, PolicyConfiguration.configurable_id == ident,
        PolicyConfiguration.live.is_(True)))
    return LevelRow(level, ident, None, row) if row is not None else None


def per_node_walk(company_id) -> int:
    """Resolve every tree node by walking up its ancestors with a query per level."""
    tree = load_tree_input(company_id)
    offered = {}
    for branch_id, service_id in tree.branch_services:
        offered.setdefault(branch_id, []).append(service_id)
    performers = {}
    home = {m.id: m.branch_id for m in tree.staff}
    for staff_id, service_id in tree.staff_services:
        performers.setdefault((home[staff_id], service_id), []).append(staff_id)
    paths = [[("company", company_id)]]
    for branch in tree.branches:
        paths.append([("company", company_id), ("branch", branch.id)])
        for service_id in offered.get(branch.id, ()):
            paths.append([("company", company_id), ("branch", branch.id), ("service", service_id)])
            for staff_id in performers.get((branch.id, service_id), ()):
                paths.append([("company", company_id), ("branch", branch.id), ("service", service_id),
                              ("staff", staff_id)])
    for path in paths:
        resolve("cancellation", [row_at(company_id, level, ident) for level, ident in path])
    return len(paths)


def measure(engine: str, redis_url: str | None) -> dict:
    app = bench_app(fresh_database(engine, "portal_bench_tree"), redis_url)
    results = {"engine": engine + (" + Redis" if redis_url else " + in-process cache")}
    with app.app_context():
        company_id = build_company()
        with QueryCounter(db.engine) as ours:
            whole = timed(lambda: load_and_resolve(company_id), 1)[0]
        nodes = sum(1 for _ in company_tree(company_id, "cancellation").root.walk())
        with QueryCounter(db.engine) as theirs:
            walk = timed(lambda: per_node_walk(company_id), 1)[0]
        whole_runs = timed(lambda: load_and_resolve(company_id), 5)
        results.update(nodes=nodes, whole_ms=min([whole, *whole_runs]), whole_queries=ours.count,
                       walk_ms=walk, walk_queries=theirs.count)
        staff = db.session.scalar(select(Staff).where(Staff.company_id == company_id).limit(1))
        cache.clear()
        uncached = timed(lambda: (cache.clear(), staff.effective_policy("cancellation")), 30)
        staff.effective_policy("cancellation")
        cached_ms = timed(lambda: staff.effective_policy("cancellation"), 200)
        results.update(uncached=p50_p95(uncached), cached=p50_p95(cached_ms))
    client = app.test_client()
    client.post("/login", data={"email": "bench@bench.test", "password": "bench-password"})
    page = lambda: client.get("/policies/?type=cancellation")  # noqa: E731
    first = page()
    assert first.status_code == 200
    results["page_kb"] = len(first.data) / 1024
    results["page_cached"] = p50_p95(timed(page, 20))
    with app.app_context():
        results["page_cold"] = p50_p95(timed(lambda: (cache.clear(), page()), 10))
        branch_id = db.session.scalar(select(Branch.id).where(Branch.company_id == company_id).limit(1))
    one_branch = lambda: client.get(f"/policies/?type=cancellation&branch={branch_id}")  # noqa: E731
    results["branch_kb"] = len(one_branch().data) / 1024
    with app.app_context():
        results["branch_cold"] = p50_p95(timed(lambda: (cache.clear(), one_branch()), 10))
    results["search"] = p50_p95(timed(lambda: client.get("/policies/?type=cancellation&q=staff+07"), 10))
    return results


def load_and_resolve(company_id):
    cache.clear()
    return company_tree(company_id, "cancellation")


def report(r: dict) -> None:
    print(f"\n## Policy tree benchmark — {r['engine']}, {r['nodes']} nodes")
    print("| measure | ours (whole tree) | per-node walk | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| time to resolve every node | {r['whole_ms']:.0f} ms | {r['walk_ms']:.0f} ms | "
          f"{r['walk_ms'] / r['whole_ms']:.0f}× faster |")
    print(f"| SQL queries | {r['whole_queries']} | {r['walk_queries']} | |")
    print("\n| measure | p50 | p95 |\n| --- | --- | --- |")
    print(f"| tree page ({r['page_kb']:.0f} KiB), cached | {r['page_cached'][0]:.0f} ms | {r['page_cached'][1]:.0f} ms |")
    print(f"| tree page, cold cache | {r['page_cold'][0]:.0f} ms | {r['page_cold'][1]:.0f} ms |")
    print(f"| one branch with all its staff ({r['branch_kb']:.0f} KiB), cold cache | "
          f"{r['branch_cold'][0]:.0f} ms | {r['branch_cold'][1]:.0f} ms |")
    print(f"| search by name (never cached) | {r['search'][0]:.0f} ms | {r['search'][1]:.0f} ms |")
    print(f"| effective_policy(), uncached | {r['uncached'][0]:.2f} ms | {r['uncached'][1]:.2f} ms |")
    print(f"| effective_policy(), cached | {r['cached'][0]:.2f} ms | {r['cached'][1]:.2f} ms |")


if __name__ == "__main__":
    run_benchmark(__doc__, measure, report)

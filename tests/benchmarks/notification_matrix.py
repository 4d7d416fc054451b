"""Benchmark: a staff node's notification matrix (13 events × 4 channels) vs a per-cell lookup.

    python -m tests.benchmarks.notification_matrix --engine mariadb --redis redis://127.0.0.1:6379/9
      (recreates the database portal_notifications)
    python -m tests.benchmarks.notification_matrix --engine sqlite

One company of 4,261 tree nodes (the policy tree benchmark's) with notification rows on every
level. Reports in one run: queries and time of our matrix resolution (fixed queries, merged in
memory) vs the original lookup, one query per level of the path for every (event, channel); and
the server time of the staff node's matrix page, cold cache and cached (p50/p95).
"""
import random

from sqlalchemy import select

from portal.domain.inheritance import LevelRow
from portal.domain.notifications import CHANNELS, KEYS, resolve_cell
from portal.extensions import cache, db
from portal.models import Branch, NotificationConfiguration, Staff, staff_services
from portal.services.notifications.read import (
    company_hierarchy,
    load_cells,
    load_events,
    node_matrix,
    resolve_matrix,
)
from portal.services.policies.read import node_ref
from tests.benchmarks.common import bench_app, fresh_database, p50_p95, run_benchmark, timed
from tests.benchmarks.policy_tree import build_company
from tests.support import QueryCounter


def add_notification_rows(company_id: int) -> int:
    """Rows on every level: the company for every cell, half the branches, a third of the
    services, every tenth staff member; returns how many."""
    rng = random.Random(11)
    events = [event.event_type for event in load_events()]
    branches = db.session.scalars(select(Branch.id).where(Branch.company_id == company_id)).all()
    services = sorted({s for (s,) in db.session.execute(select(staff_services.c.service_id))})
    staff = db.session.scalars(select(Staff.id).where(Staff.company_id == company_id)).all()
    rows = [("company", company_id, e, c, {"retry_count": 2}) for e in events for c in CHANNELS]
    rows += [("branch", b, e, "sms", {"retry_count": 5, "fallback_channel": "email"})
             for b in branches[::2] for e in events]
    rows += [("service", s, e, "whatsapp", {"is_enabled": True}) for s in services[::3] for e in events[:6]]
    rows += [("staff", m, rng.choice(events), "email", {"template_override": "staff/custom"})
             for m in staff[::10]]
    db.session.add_all(NotificationConfiguration(company_id=company_id, configurable_type=level,
                                                 configurable_id=ident, event_type=event, channel=channel,
                                                 **settings)
                       for level, ident, event, channel, settings in rows)
    db.session.commit()
    return len(rows)


def per_cell_lookup(company_id, ref, events) -> int:
    """The original system's way: for every (event, channel), one query per level of the path."""
    for event in events:
        for channel in CHANNELS:
            rows = []
            for level, ident in ref.path:
                row = db.session.scalar(select(NotificationConfiguration).where(
                    NotificationConfiguration.company_id == company_id,
                    NotificationConfiguration.configurable_type == level,
                    NotificationConfiguration.configurable_id == ident,
                    NotificationConfiguration.event_type == event.event_type,
                    NotificationConfiguration.channel == channel))
                if row is not None:
                    rows.append(LevelRow(level, ident, None, {key: getattr(row, key) for key in KEYS}))
            resolve_cell(event, channel, rows)
    return len(events) * len(CHANNELS)


def staff_under_service(company_id):
    member, service_id = db.session.execute(
        select(Staff, staff_services.c.service_id).join(staff_services, staff_services.c.staff_id == Staff.id)
        .where(Staff.company_id == company_id).order_by(Staff.id).limit(1)).one()
    return member, service_id


def cold_page(client, url) -> float:
    """Milliseconds of one page request right after the cache was emptied (not timing the emptying)."""
    cache.clear()
    return timed(lambda: client.get(url), 1)[0]


def measure(engine: str, redis_url: str | None) -> dict:
    app = bench_app(fresh_database(engine, "portal_notifications"), redis_url)
    results = {"engine": engine + (" + Redis" if redis_url else " + in-process cache")}
    with app.test_request_context():
        company_id = build_company()
        results["rows"] = add_notification_rows(company_id)
        hierarchy = company_hierarchy(company_id)
        results["nodes"] = (1 + len(hierarchy.tree.branches) + sum(map(len, hierarchy.offered.values()))
                            + sum(map(len, hierarchy.performers.values())))
        member, service_id = staff_under_service(company_id)
        ref = node_ref(company_id, "staff", member.id, service_id=service_id)
        events = load_events()

        def ours():
            cache.clear()
            return node_matrix(company_id, ref)

        with QueryCounter(db.engine) as counter:
            ours()
        results.update(ours_queries=counter.count, ours_ms=min(timed(ours, 20)))
        def rows_and_merge():  # what the per-cell lookup computes: no names, no navigation
            return resolve_matrix(load_events(), load_cells(company_id, ref.path), ref, {})

        with QueryCounter(db.engine) as counter:
            rows_and_merge()
        results.update(merge_queries=counter.count, merge_ms=min(timed(rows_and_merge, 20)))
        with QueryCounter(db.engine) as counter:
            per_cell_lookup(company_id, ref, events)
        results.update(walk_queries=counter.count,
                       walk_ms=min(timed(lambda: per_cell_lookup(company_id, ref, events), 5)))
        url = f"/notifications/staff/{member.id}?service={service_id}"
    client = app.test_client()
    client.post("/login", data={"email": "bench@bench.test", "password": "bench-password"})
    first = client.get(url)
    assert first.status_code == 200
    assert first.data.count(b'data-cell="') == 52
    results["page_kb"] = len(first.data) / 1024
    with app.app_context():
        results["page_cold"] = p50_p95([cold_page(client, url) for _ in range(30)])
    results["page_cached"] = p50_p95(timed(lambda: client.get(url), 50))
    return results


def report(r: dict) -> None:
    print(f"\n## Notification matrix benchmark — {r['engine']}, {r['rows']} notification rows, "
          "staff node under a service (13 events × 4 channels)")
    print("| measure | ours (path rows in one query, merge in memory) | per-cell lookup | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| resolve the 52 cells (catalog + path rows, merge) | {r['merge_ms']:.1f} ms, "
          f"{r['merge_queries']} queries | {r['walk_ms']:.1f} ms, {r['walk_queries']} queries | "
          f"{r['walk_ms'] / r['merge_ms']:.0f}× faster |")
    print(f"| whole node matrix, cold (+ generation, names from the {r['nodes']}-node hierarchy) | "
          f"{r['ours_ms']:.1f} ms, {r['ours_queries']} queries | | |")
    print("\n| staff node matrix page | p50 | p95 |\n| --- | --- | --- |")
    cold = r["page_cold"]
    print(f"| cold cache ({r['page_kb']:.0f} KiB) | {cold[0]:.0f} ms | {cold[1]:.0f} ms |")
    print(f"| cached matrix | {r['page_cached'][0]:.0f} ms | {r['page_cached'][1]:.0f} ms |")


if __name__ == "__main__":
    run_benchmark(__doc__, measure, report)

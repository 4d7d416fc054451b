"""`flask stats refresh` against the obvious in-memory way, in the same run."""
import gc
import time
import tracemalloc
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select

from portal.extensions import db
from portal.models import AppointmentModification, AppointmentModificationStat, Customer
from portal.services.modifications.stats import refresh_stats


def baseline_refresh(now: datetime) -> int:
    """Every modification of the 90-day window into memory, counted in Python, then every row
    deleted and written again."""
    model = AppointmentModification
    start90, start30 = now - timedelta(days=90), now - timedelta(days=30)
    counts: dict = {}
    for record in db.session.scalars(select(model).where(model.created_at > start90, model.created_at <= now)):
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
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(AppointmentModificationStat), rows[start:start + 5000])
    db.session.commit()
    return len(rows)


def measured(fn) -> tuple[float, float]:
    """(seconds of one plain run, peak MiB of Python allocations of a second run under tracemalloc)."""
    db.session.expunge_all()
    gc.collect()
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    db.session.expunge_all()
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def snapshot() -> list:
    stat = AppointmentModificationStat
    return sorted(db.session.execute(select(stat.company_id, stat.customer_id, stat.stat_type, stat.count)).all())


def measure_refresh(now: datetime) -> dict:
    """Ours (in place, counted by the database) and the baseline, over every company in the database."""
    first = refresh_stats(now)  # brings the new company's rows in (the INSERT path)
    ours = measured(lambda: refresh_stats(now))
    expected = snapshot()
    baseline = measured(lambda: baseline_refresh(now))
    same = snapshot() == expected
    refresh_stats(now)
    return {"modifications": db.session.scalar(select(func.count(AppointmentModification.id))),
            "customers": first.customers, "rows": first.rows, "ours_s": ours[0], "ours_mib": ours[1],
            "base_s": baseline[0], "base_mib": baseline[1], "same_counts": same}

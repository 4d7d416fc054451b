"""`flask stats refresh`: the rolling counts of every customer, materialized for reports.

appointment_modification_stats holds the current snapshot: per customer, cancel_30d,
reschedule_30d, cancel_90d and reschedule_90d over windows ending at the refresh time (the same
window rule as the quotas: start < created_at ≤ end). Customers are taken company by company in
id-ordered batches; each batch is counted by the database (GROUP BY) and replaced in one
transaction (delete the batch's rows, insert the new ones), so memory stays bounded by the batch
size, a rerun gives the same rows, and a reader never sees a half-written batch. Decisions never
read this table: their counts are exact, from appointment_modifications.
"""
import time
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, case, delete, func, insert, select
from sqlalchemy.exc import OperationalError

from portal.domain.clock import whole_seconds
from portal.domain.decisions import rolling_window
from portal.extensions import db
from portal.models import AppointmentModification, AppointmentModificationStat, Company, Customer
from portal.services.scope import Scope

WINDOWS = (("30d", 30), ("90d", 90))
KINDS = ("cancel", "reschedule")
BATCH_SIZE = 1000
RETRIES = 3  # a batch that meets a lock timeout (a long writer on the company row) is redone


@dataclass(frozen=True)
class RefreshSummary:
    companies: int
    customers: int
    rows: int
    seconds: float


def refresh_stats(now: datetime, batch_size: int = BATCH_SIZE) -> RefreshSummary:
    """Recompute the four counts of every customer of every company as of `now`."""
    started, now = time.perf_counter(), whole_seconds(now)
    companies = customers = rows = 0
    for company_id in list(db.session.scalars(select(Company.id).order_by(Company.id))):
        companies += 1
        for batch in customer_batches(company_id, batch_size):
            rows += _refresh_batch_with_retry(company_id, batch, now)
            customers += len(batch)
    return RefreshSummary(companies, customers, rows, time.perf_counter() - started)


def customer_batches(company_id: int, batch_size: int):
    """Customer ids of one company in ascending batches (keyset paging: memory per batch only)."""
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(Customer.id).where(*Scope.company(company_id).where(Customer), Customer.id > last_id)
            .order_by(Customer.id).limit(batch_size)))
        if not batch:
            return
        yield batch
        last_id = batch[-1]


def _refresh_batch_with_retry(company_id: int, batch: list[int], now: datetime) -> int:
    for attempt in range(RETRIES):
        try:
            return refresh_batch(company_id, batch, now)
        except OperationalError:
            db.session.rollback()
            if attempt == RETRIES - 1:
                raise
    return 0


def counted(company_id: int, first_id: int, last_id: int, now: datetime) -> dict[tuple[int, str], int]:
    """{(customer_id, stat_type): count} of one id range, counted by the database."""
    model = AppointmentModification
    starts = {name: rolling_window(now, days)[0] for name, days in WINDOWS}
    widest = min(starts.values())
    columns = [func.sum(case((model.created_at > start, 1), else_=0)).label(name)
               for name, start in starts.items()]
    stmt = (select(model.customer_id, model.modification_type, *columns)
            .where(*Scope.company(company_id).where(model), model.customer_id.between(first_id, last_id),
                   and_(model.created_at > widest, model.created_at <= now))
            .group_by(model.customer_id, model.modification_type))
    counts = {}
    for row in db.session.execute(stmt):
        for name, _ in WINDOWS:
            counts[(row.customer_id, f"{row.modification_type}_{name}")] = int(getattr(row, name) or 0)
    return counts


def refresh_batch(company_id: int, batch: list[int], now: datetime) -> int:
    """Replace the stats rows of one batch of customers in one transaction.

    The company row is locked first (FOR UPDATE; SQLite serializes writers anyway), so refreshes
    started on several machines at once take a company's batches in turn: none can delete rows
    another is about to replace and leave two snapshots behind.
    """
    db.session.execute(select(Company.id).where(Company.id == company_id).with_for_update())
    counts = counted(company_id, batch[0], batch[-1], now)
    starts = {name: rolling_window(now, days)[0] for name, days in WINDOWS}
    rows = [{"company_id": company_id, "customer_id": customer_id, "stat_type": f"{kind}_{name}",
             "period_start": starts[name], "period_end": now,
             "count": counts.get((customer_id, f"{kind}_{name}"), 0),
             "calculated_at": now, "created_at": now, "updated_at": now}
            for customer_id in batch for kind in KINDS for name, _ in WINDOWS]
    stat = AppointmentModificationStat
    db.session.execute(delete(stat).where(*Scope.company(company_id).where(stat),
                                          stat.customer_id.between(batch[0], batch[-1])))
    table = cast(Table, stat.__table__)  # typed as any FromClause; a mapped class's is its Table
    db.session.execute(insert(table), rows)  # Core executemany: no ORM bookkeeping per row
    db.session.commit()
    return len(rows)


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerTrend:
    customer_id: int
    name: str
    counts: dict  # stat_type -> count

    @property
    def trend(self) -> str:
        """Cancellations of the last 30 days against the monthly average of the last 90."""
        recent, average = self.counts.get("cancel_30d", 0), self.counts.get("cancel_90d", 0) / 3
        if recent > average:
            return "rising"
        return "falling" if recent < average else "steady"


def top_customers(customer_criteria: list, company_id: int, rank_by: str = "cancel_30d",
                  limit: int = 20) -> list[CustomerTrend]:
    """The customers with the most cancellations (by `rank_by`) and all four of their counts:
    one query ranks through the report index, one reads the rows of those customers."""
    stat = AppointmentModificationStat
    ranked = list(db.session.execute(
        select(stat.customer_id).join(Customer, Customer.id == stat.customer_id)
        .where(*Scope.company(company_id).where(stat), stat.stat_type == rank_by, stat.count > 0,
               *customer_criteria)
        .order_by(stat.count.desc(), stat.customer_id).limit(limit)).scalars())
    if not ranked:
        return []
    found: dict[int, CustomerTrend] = {}
    for customer_id, name, stat_type, count in db.session.execute(
            select(stat.customer_id, Customer.name, stat.stat_type, stat.count)
            .join(Customer, Customer.id == stat.customer_id)
            .where(*Scope.company(company_id).where(stat), stat.customer_id.in_(ranked))):
        found.setdefault(customer_id, CustomerTrend(customer_id, name, {})).counts[stat_type] = count
    return [found[customer_id] for customer_id in ranked if customer_id in found]


def stat_totals(customer_criteria: list, company_id: int) -> dict[str, int]:
    """Sum of each stat type over the customers in scope."""
    stat = AppointmentModificationStat
    rows = db.session.execute(
        select(stat.stat_type, func.sum(stat.count)).join(Customer, Customer.id == stat.customer_id)
        .where(*Scope.company(company_id).where(stat), *customer_criteria).group_by(stat.stat_type))
    return {stat_type: int(total or 0) for stat_type, total in rows}


def last_refreshed(company_id: int) -> datetime | None:
    stat = AppointmentModificationStat
    return db.session.scalar(
        select(func.max(stat.calculated_at)).where(*Scope.company(company_id).where(stat)))

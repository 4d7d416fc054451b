"""`flask stats refresh`: the rolling counts of every customer, materialized for reports.

appointment_modification_stats holds the current snapshot: per customer, cancel_30d,
reschedule_30d, cancel_90d and reschedule_90d over windows ending at the refresh time (the same
window rule as the quotas: start < created_at ≤ end). Customers are taken company by company in
id-ordered batches; each batch's rows are updated in place by one statement in which the database
counts (a correlated COUNT per row on the customer index), and rows of new customers are added by
INSERT … SELECT. Nothing is loaded into the process, so memory does not depend on the data; a
rerun gives the same rows, and a reader never sees a half-written batch. Decisions never read this
table: their counts are exact, from appointment_modifications.
"""
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, exists, func, insert, literal, select, update
from sqlalchemy.exc import OperationalError

from portal.domain.clock import whole_seconds
from portal.domain.decisions import rolling_window
from portal.extensions import db
from portal.models import (
    AppointmentModification,
    AppointmentModificationStat,
    AppointmentModificationStatTotal,
    Company,
    Customer,
)
from portal.services.modifications.audit import AuditFilters, range_totals
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
        keep_totals(company_id, now)
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


def refresh_batch(company_id: int, batch: list[int], now: datetime) -> int:
    """Bring the stats rows of one batch of customers up to `now`, in place, in one transaction.

    One UPDATE sets every row's count from a correlated COUNT on the customer's index (the
    database counts, nothing is loaded), and one INSERT per stat type adds the rows of customers
    who have none yet. The company row is locked first (FOR UPDATE; SQLite serializes writers
    anyway), so refreshes started on several machines at once take a company's batches in turn
    and never insert a customer's row twice.
    """
    db.session.execute(select(Company.id).where(Company.id == company_id).with_for_update())
    stat, first, last = AppointmentModificationStat, batch[0], batch[-1]
    starts = {name: rolling_window(now, days)[0] for name, days in WINDOWS}
    counts = {f"{kind}_{name}": _count(company_id, kind, starts[name], now, stat.customer_id)
              for kind in KINDS for name, _ in WINDOWS}
    window_start = case(*((stat.stat_type.in_([f"{kind}_{name}" for kind in KINDS]), start)
                          for name, start in starts.items()))
    db.session.execute(
        update(stat).where(*Scope.company(company_id).where(stat), stat.customer_id.between(first, last))
        .values(count=case(*((stat.stat_type == name, count) for name, count in counts.items()), else_=0),
                period_start=window_start, period_end=now, calculated_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    for kind in KINDS:
        for name, _ in WINDOWS:
            count = _count(company_id, kind, starts[name], now, Customer.id)
            _insert_missing(company_id, f"{kind}_{name}", count, starts[name], now, (first, last))
    db.session.commit()
    return len(batch) * len(KINDS) * len(WINDOWS)


def _count(company_id: int, kind: str, start: datetime, now: datetime, customer_column):
    """COUNT of one customer's modifications of `kind` in (start, now], correlated to `customer_column`."""
    model = AppointmentModification
    return (select(func.count(model.id))
            .where(*Scope.company(company_id).where(model), model.customer_id == customer_column,
                   model.modification_type == kind, model.created_at > start, model.created_at <= now)
            .scalar_subquery())


def _insert_missing(company_id: int, stat_type: str, count, start: datetime, now: datetime,
                    ids: tuple[int, int]) -> None:
    """Rows of `stat_type` for the customers of the id range that have none yet."""
    stat = AppointmentModificationStat
    has_row = exists().where(*Scope.company(company_id).where(stat), stat.customer_id == Customer.id,
                             stat.stat_type == stat_type)
    rows = select(Customer.company_id, Customer.id, literal(stat_type), literal(start), literal(now), count,
                  literal(now), literal(now), literal(now)).where(
        *Scope.company(company_id).where(Customer), Customer.id.between(*ids), ~has_row)
    columns = ["company_id", "customer_id", "stat_type", "period_start", "period_end", "count",
               "calculated_at", "created_at", "updated_at"]
    db.session.execute(insert(stat).from_select(columns, rows))


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


def top_customers(scope: Scope, rank_by: str = "cancel_30d", limit: int = 20) -> list[CustomerTrend]:
    """The customers with the most cancellations (by `rank_by`) and all four of their counts:
    one query ranks by reading the report index (company, type, count) backwards — ties in the
    order the rows were written — and stops after `limit`; one reads those customers' rows."""
    stat, company_id = AppointmentModificationStat, scope.company_id
    stmt = select(stat.customer_id).where(*Scope.company(company_id).where(stat), stat.stat_type == rank_by,
                                          stat.count > 0)
    if scope.limited:  # a branch's customers (the company's are every row's)
        stmt = stmt.where(exists().where(Customer.id == stat.customer_id, *scope.where(Customer)))
    ranked = list(db.session.scalars(stmt.order_by(stat.count.desc(), stat.id.desc()).limit(limit)))
    if not ranked:
        return []
    found: dict[int, CustomerTrend] = {}
    for customer_id, name, stat_type, count in db.session.execute(
            select(stat.customer_id, Customer.name, stat.stat_type, stat.count)
            .join(Customer, Customer.id == stat.customer_id)
            .where(*Scope.company(company_id).where(stat), stat.customer_id.in_(ranked))):
        found.setdefault(customer_id, CustomerTrend(customer_id, name, {})).counts[stat_type] = count
    return [found[customer_id] for customer_id in ranked if customer_id in found]


def keep_totals(company_id: int, now: datetime) -> None:
    """Write the company's sum of each stat type as of `now`, which the report reads.

    The sum over the customers' rows is the number of the company's modifications of that kind
    in that window, counted from the per-day and per-month totals (one pass per refresh, not per
    view). The company row is locked first, as for a batch, so two refreshes write in turn; the
    lock opens a transaction of its own, so what the other refresh wrote while this one waited is
    read (a snapshot taken before the wait, by the last customer batch's read, would miss its
    rows and insert them twice)."""
    db.session.commit()
    db.session.execute(select(Company.id).where(Company.id == company_id).with_for_update())
    scope, after = Scope.company(company_id), timedelta(microseconds=1)  # start < created_at <= end
    for kind in KINDS:
        for name, days in WINDOWS:
            start, end = rolling_window(now, days)
            count = range_totals(scope, AuditFilters(kind), start + after, end + after)[0]
            db.session.merge(AppointmentModificationStatTotal(
                company_id=company_id, stat_type=f"{kind}_{name}", count=count, calculated_at=now))
    db.session.commit()


def stat_totals(scope: Scope) -> dict[str, int]:
    """Sum of each stat type over the customers in scope, as of the last refresh.

    For the whole company: the four sums the refresh kept (flat in history and in the number of
    customers and branches); a branch's customers are summed from their rows."""
    stat = AppointmentModificationStat
    if scope.limited:
        rows = db.session.execute(
            select(stat.stat_type, func.sum(stat.count)).join(Customer, Customer.id == stat.customer_id)
            .where(*Scope.company(scope.company_id).where(stat), *scope.where(Customer))
            .group_by(stat.stat_type))
        return {stat_type: int(total or 0) for stat_type, total in rows}
    total = AppointmentModificationStatTotal
    kept = db.session.execute(select(total.stat_type, total.count).where(*scope.whole_company().where(total)))
    return {stat_type: int(count) for stat_type, count in kept}


def last_refreshed(company_id: int) -> datetime | None:
    """When the last complete refresh wrote this company's rows (the row of its last customer is
    written last; read by the unique key, not by scanning every row)."""
    stat = AppointmentModificationStat
    newest_first = (stat.customer_id.desc(), stat.stat_type.desc(), stat.period_start.desc())  # unique key
    return db.session.scalar(select(stat.calculated_at).where(*Scope.company(company_id).where(stat))
                             .order_by(*newest_first).limit(1))

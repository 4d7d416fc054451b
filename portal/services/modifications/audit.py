"""The modifications audit trail: filters, totals, keyset pages and the CSV export.

A page reads the 25 ids it shows from the index (company_id, created_at) — newest first,
starting after the last row of the previous page, never skipping rows with OFFSET — and only
then joins those 25 to their appointments, customers and branches. The totals read the
per-day and per-month buckets of modification_totals (kept by the database, migration 0008) for
the whole periods in the date range and the rows themselves only for the partial days at its
edges, so neither grows with the company's history. A customer search, which no bucket can
answer, counts the matching customers' modifications from their index.
"""
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased, load_only

from portal.domain.clock import local_days, to_local
from portal.domain.messages import M_
from portal.domain.periods import MONTH, Buckets, split_range
from portal.extensions import cache, db
from portal.models import (
    Appointment,
    AppointmentModification,
    Branch,
    Customer,
    ModificationTotal,
    User,
    utcnow,
)
from portal.services.appointments.read import customer_matches
from portal.services.scope import Scope

CSV_COLUMNS = ("id", "created_at_utc", "created_at_local", "type", "within_policy", "fee_charged_eur",
               "fee_waived", "forced", "hours_notice", "reason", "customer", "customer_id",
               "appointment_id", "branch", "modified_by")
M = AppointmentModification


@dataclass(frozen=True)
class AuditFilters:
    modification_type: str | None = None
    within_policy: bool | None = None
    fee_charged: bool | None = None
    customer: str = ""
    branch_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    modification: AppointmentModification
    appointment: Appointment
    customer: Customer
    branch: Branch
    actor: str | None


@dataclass(frozen=True, order=True)
class Cursor:
    """A row's place in the trail (newest first): its time and id."""

    created_at: datetime
    id: int

    def token(self) -> str:
        return f"{self.created_at:%Y%m%d%H%M%S%f}.{self.id}"

    @classmethod
    def parse(cls, token: str) -> "Cursor":
        """ValueError unless `token` is what token() makes."""
        match = re.fullmatch(r"(\d{20})\.(\d{1,18})", token or "")
        try:
            if match is None:
                raise ValueError
            return cls(datetime.strptime(match.group(1), "%Y%m%d%H%M%S%f"), int(match.group(2)))
        except ValueError:
            raise ValueError(M_("This page link is damaged; start again from the newest.")) from None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    newer: Cursor | None  # the first row shown, when there are newer rows
    older: Cursor | None  # the last row shown, when there are older rows


def _criteria(scope: Scope, filters: AuditFilters, tz_name: str) -> list:
    """WHERE criteria on appointment_modifications alone (branch and customer as EXISTS)."""
    criteria = [*scope.where(M)]
    if filters.modification_type:
        criteria.append(M.modification_type == filters.modification_type)
    if filters.within_policy is not None:
        criteria.append(M.within_policy.is_(filters.within_policy))
    if filters.fee_charged is not None:
        criteria.append(M.fee_charged > 0 if filters.fee_charged else M.fee_charged == 0)
    if filters.branch_id is not None:
        criteria.append(exists().where(Appointment.id == M.appointment_id,
                                       Appointment.branch_id == filters.branch_id))
    start, end = local_days(filters.date_from, filters.date_to, tz_name)
    if start is not None:
        criteria.append(M.created_at >= start)
    if end is not None:
        criteria.append(M.created_at < end)
    if filters.customer.strip():
        criteria.append(M.customer_id.in_(select(Customer.id).where(
            *scope.whole_company().where(Customer), customer_matches(filters.customer))))
    return criteria


def _after(cursor: Cursor, newer: bool):
    """Rows after `cursor` in the trail's order (before it, i.e. newer, when `newer`)."""
    at = cursor.created_at
    if newer:
        return or_(M.created_at > at, and_(M.created_at == at, M.id > cursor.id))
    return or_(M.created_at < at, and_(M.created_at == at, M.id < cursor.id))


def audit_page(scope: Scope, filters: AuditFilters, tz_name: str, cursor: Cursor | None = None,
               newer: bool = False, size: int = 25) -> AuditPage:
    """One page of the trail, newest first: after `cursor` (or, `newer`, the page before it)."""
    stmt = select(M.created_at, M.id).where(*_criteria(scope, filters, tz_name))
    if cursor is not None:
        stmt = stmt.where(_after(cursor, newer))
    order = (M.created_at, M.id) if newer else (M.created_at.desc(), M.id.desc())
    keys = [Cursor(*row) for row in db.session.execute(stmt.order_by(*order).limit(size + 1))]
    more, keys = len(keys) > size, keys[:size]
    if newer:
        keys.reverse()
    rows = load_rows([key.id for key in keys])
    has_newer = more if newer else cursor is not None
    has_older = (cursor is not None) if newer else more
    return AuditPage(rows, keys[0] if keys and has_newer else None, keys[-1] if keys and has_older else None)


@lru_cache(maxsize=1)
def _joined() -> Select:
    """The modifications with what a row shows of its appointment, customer and branch (only
    those columns: the page and the export read nothing else of them, and raise if they did).
    Built once: a statement is immutable, and building this one cost more than running it."""
    actor = aliased(User)
    return (select(M, Appointment, Customer, Branch, actor.name)
            .options(load_only(Appointment.id, raiseload=True),
                     load_only(Customer.id, Customer.name, raiseload=True),
                     load_only(Branch.id, Branch.name, raiseload=True))
            .join(Appointment, Appointment.id == M.appointment_id)
            .join(Customer, Customer.id == M.customer_id)
            .join(Branch, Branch.id == Appointment.branch_id)
            .outerjoin(actor, (M.modified_by_type == "user") & (actor.id == M.modified_by_id)))


def load_rows(ids: list[int]) -> list[AuditRow]:
    """The rows of these (already scoped) ids with what the table shows, in the ids' order."""
    if not ids:
        return []
    found = {row[0].id: AuditRow(*row) for row in db.session.execute(_joined().where(M.id.in_(ids)))}
    return [found[ident] for ident in ids if ident in found]


def audit_totals(scope: Scope, filters: AuditFilters, tz_name: str) -> tuple[int, Decimal]:
    """(number of modifications, fees charged) of the filtered set."""
    if filters.customer.strip():
        return counted_totals(scope, filters, tz_name)
    start, end = local_days(filters.date_from, filters.date_to, tz_name)
    return range_totals(scope, filters, start, end, tz_name)


def range_totals(scope: Scope, filters: AuditFilters, start: datetime | None, end: datetime | None,
                 tz_name: str = "UTC") -> tuple[int, Decimal]:
    """The totals of modifications created in [start, end) (naive UTC; None: open) matching the
    filters' type, policy, fee and branch (their dates and customer are not used)."""
    split = split_range(start, end)
    edge_filters = AuditFilters(filters.modification_type, filters.within_policy, filters.fee_charged,
                                "", filters.branch_id)
    count, fees = _bucket_totals(scope, edge_filters, split.buckets)
    if split.edges:
        edges = or_(*(and_(M.created_at >= lo, M.created_at < hi) for lo, hi in split.edges))
        edge_count, edge_fees = _summed([*_criteria(scope, edge_filters, tz_name), edges])
        count, fees = count + edge_count, fees + edge_fees
    return count, fees.quantize(Decimal("0.01"))


def counted_totals(scope: Scope, filters: AuditFilters, tz_name: str) -> tuple[int, Decimal]:
    """The totals counted from the rows themselves (a customer search; the buckets' reference)."""
    count, fees = _summed(_criteria(scope, filters, tz_name))
    return count, fees.quantize(Decimal("0.01"))


def _summed(criteria: list) -> tuple[int, Decimal]:
    count, fees = db.session.execute(
        select(func.count(M.id), func.coalesce(func.sum(M.fee_charged), 0)).where(*criteria)).one()
    return int(count), Decimal(fees)


def _bucket_totals(scope: Scope, filters: AuditFilters, pieces) -> tuple[int, Decimal]:
    """The totals of these whole days and months: the months that have ended are final (a
    modification is only ever added at the moment it is made), so their sum is counted once and
    kept; the current month and the days are added up from their buckets on every view."""
    this_month = utcnow().date().replace(day=1)
    live, ended = [], []
    for piece in pieces:
        if piece.span != MONTH:
            live.append(piece)
            continue
        if piece.first is None or piece.first < this_month:
            ended.append(Buckets(MONTH, piece.first, min(piece.after or this_month, this_month)))
        if piece.after is None or piece.after > this_month:
            live.append(Buckets(MONTH, max(piece.first or this_month, this_month), piece.after))
    count, fees = _summed_buckets(scope, filters, live)
    for piece in ended:
        more, more_fees = _ended_months(scope, filters, piece)
        count, fees = count + more, fees + more_fees
    return count, fees


ENDED_MONTHS_SECONDS = 60 * 60


def _ended_months(scope: Scope, filters: AuditFilters, piece: Buckets) -> tuple[int, Decimal]:
    """The totals of months that have ended, from the cache or counted and kept (per company,
    scope, filters and months)."""
    key = ":".join(str(part) for part in (
        "audit-months", scope.company_id, scope.branch_id, filters.modification_type, filters.within_policy,
        filters.fee_charged, filters.branch_id, piece.first, piece.after))
    kept = cache.get(key)
    if isinstance(kept, list) and len(kept) == 2:
        return int(kept[0]), Decimal(kept[1])
    count, fees = _summed_buckets(scope, filters, [piece])
    cache.set(key, [count, str(fees)], timeout=ENDED_MONTHS_SECONDS)
    return count, fees


def _summed_buckets(scope: Scope, filters: AuditFilters, pieces) -> tuple[int, Decimal]:
    if not pieces:
        return 0, Decimal(0)
    total = ModificationTotal
    criteria = [*scope.where(total)]
    for column, value in ((total.modification_type, filters.modification_type),
                          (total.within_policy, filters.within_policy), (total.charged, filters.fee_charged),
                          (total.branch_id, filters.branch_id)):
        if value is not None and value != "":
            criteria.append(column == value)
    periods = []
    for piece in pieces:
        within = [total.span == piece.span]
        if piece.first is not None:
            within.append(total.period >= piece.first)
        if piece.after is not None:
            within.append(total.period < piece.after)
        periods.append(and_(*within))
    count, fees = db.session.execute(select(
        func.coalesce(func.sum(total.modifications), 0), func.coalesce(func.sum(total.fees), 0))
        .where(*criteria, or_(false(), *periods))).one()
    return int(count), Decimal(fees)


def export_rows(scope: Scope, filters: AuditFilters, tz_name: str) -> Iterator[tuple]:
    """The filtered audit trail, one row (CSV_COLUMNS) per modification, read in batches."""
    ids = select(M.id).where(*_criteria(scope, filters, tz_name))
    stmt = (_joined().where(M.id.in_(ids)).order_by(M.created_at.desc(), M.id.desc())
            .execution_options(yield_per=500))
    for row in db.session.execute(stmt):
        yield _csv_row(AuditRow(*row), tz_name)


def _csv_row(row: AuditRow, tz_name: str) -> tuple:
    mod, meta = row.modification, row.modification.meta
    local = to_local(mod.created_at, tz_name)
    return (mod.id, mod.created_at.isoformat(sep=" "), local.strftime("%Y-%m-%d %H:%M %Z"),
            mod.modification_type, "yes" if mod.within_policy else "no", f"{mod.fee_charged:.2f}",
            "yes" if meta.get("fee_waived") else "no", "yes" if meta.get("forced") else "no",
            meta.get("hours_notice", ""), mod.reason or "", row.customer.name,
            row.customer.id, row.appointment.id, row.branch.name, row.actor or mod.modified_by_type)

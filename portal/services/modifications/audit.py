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

from sqlalchemy import Select, and_, exists, false, func, or_, select, union_all
from sqlalchemy.orm import aliased

from portal.cache.ended import keep_pairs, kept_pairs
from portal.domain.clock import local_days, to_local
from portal.domain.messages import M_
from portal.domain.periods import MONTH, Buckets, split_range
from portal.extensions import db
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
from portal.services.rows import own_columns
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


@dataclass(frozen=True, slots=True)
class AuditRow:
    """A modification as the trail shows it: its own columns and the names of its customer, branch
    and actor. Read as plain columns, not ORM objects (loading 25 entities with their joined parts
    cost more than the query)."""

    id: int
    created_at: datetime
    modification_type: str
    within_policy: bool
    fee_charged: Decimal
    reason: str | None
    meta: dict
    modified_by_type: str
    appointment_id: int
    customer_id: int
    customer_name: str
    branch_name: str
    actor: str | None

    @property
    def fee_waived(self) -> bool:
        return bool(self.meta.get("fee_waived"))


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
    """One page of the trail, newest first: after `cursor` (or, `newer`, the page before it).

    One statement: the page's keys (size+1, from the index) as a derived table, joined to what
    the table shows of each."""
    keys = select(M.created_at, M.id).where(*_criteria(scope, filters, tz_name))
    if cursor is not None:
        keys = keys.where(_after(cursor, newer))
    order = (M.created_at, M.id) if newer else (M.created_at.desc(), M.id.desc())
    page = keys.order_by(*order).limit(size + 1).subquery("page_keys")
    by = (page.c.created_at, page.c.id) if newer else (page.c.created_at.desc(), page.c.id.desc())
    found = [AuditRow(*row) for row in db.session.execute(
        _joined().join(page, page.c.id == M.id).order_by(*by))]
    more, rows = len(found) > size, found[:size]
    if newer:
        rows.reverse()
    has_newer = more if newer else cursor is not None
    has_older = (cursor is not None) if newer else more
    first, last = (Cursor(rows[0].created_at, rows[0].id), Cursor(rows[-1].created_at, rows[-1].id)) if rows \
        else (None, None)
    return AuditPage(rows, first if has_newer else None, last if has_older else None)


@lru_cache(maxsize=1)
def _joined() -> Select:
    """The columns of AuditRow: the modification's own, joined to its appointment's branch, its
    customer and the user who made it. Built once: a statement is immutable, and building this
    one cost more than running it."""
    actor = aliased(User)
    parts = ("customer_name", "branch_name", "actor")
    own = own_columns(M, AuditRow, parts)
    return (select(*own, Customer.name, Branch.name, actor.name)
            .join(Appointment, Appointment.id == M.appointment_id)
            .join(Customer, Customer.id == M.customer_id)
            .join(Branch, Branch.id == Appointment.branch_id)
            .outerjoin(actor, (M.modified_by_type == "user") & (actor.id == M.modified_by_id)))


def audit_totals(scope: Scope, filters: AuditFilters, tz_name: str) -> tuple[int, Decimal]:
    """(number of modifications, fees charged) of the filtered set."""
    if filters.customer.strip():
        return counted_totals(scope, filters, tz_name)
    start, end = local_days(filters.date_from, filters.date_to, tz_name)
    return range_totals(scope, filters, start, end, tz_name)


def range_totals(scope: Scope, filters: AuditFilters, start: datetime | None, end: datetime | None,
                 tz_name: str = "UTC") -> tuple[int, Decimal]:
    """The totals of modifications created in [start, end) (naive UTC; None: open) matching the
    filters' type, policy, fee and branch (their dates and customer are not used).

    The whole days and months come from their buckets: the months that have ended are final (a
    modification is only ever added at the moment it is made), so their sum is counted once and
    kept; the current month's and the days' buckets and the rows of the partial days at the
    edges are added up on every view, in one round trip."""
    split = split_range(start, end)
    edge_filters = AuditFilters(filters.modification_type, filters.within_policy, filters.fee_charged,
                                "", filters.branch_id)
    live, ended = _live_and_ended(split.buckets)
    parts = [_buckets_summed(scope, edge_filters, live)] if live else []
    if split.edges:
        edges = or_(*(and_(M.created_at >= lo, M.created_at < hi) for lo, hi in split.edges))
        parts.append(_rows_summed([*_criteria(scope, edge_filters, tz_name), edges]))
    count, fees = _added_up(parts)
    for piece in ended:
        more, more_fees = _ended_months(scope, edge_filters, piece)
        count, fees = count + more, fees + more_fees
    return count, fees.quantize(Decimal("0.01"))


def counted_totals(scope: Scope, filters: AuditFilters, tz_name: str) -> tuple[int, Decimal]:
    """The totals counted from the rows themselves (a customer search; the buckets' reference)."""
    count, fees = _added_up([_rows_summed(_criteria(scope, filters, tz_name))])
    return count, fees.quantize(Decimal("0.01"))


def _added_up(parts: list[Select]) -> tuple[int, Decimal]:
    """The (count, fees) of each statement, added up (all of them in one round trip)."""
    if not parts:
        return 0, Decimal(0)
    stmt = parts[0] if len(parts) == 1 else union_all(*parts)
    count, fees = 0, Decimal(0)
    for part_count, part_fees in db.session.execute(stmt):
        count, fees = count + int(part_count), fees + Decimal(part_fees)
    return count, fees


def _rows_summed(criteria: list) -> Select:
    return select(func.count(M.id), func.coalesce(func.sum(M.fee_charged), 0)).where(*criteria)


def _live_and_ended(pieces) -> tuple[list[Buckets], list[Buckets]]:
    """The pieces split at the current month: (the days and the months not yet ended, the ended
    months)."""
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
    return live, ended


def _ended_months(scope: Scope, filters: AuditFilters, piece: Buckets) -> tuple[int, Decimal]:
    """The totals of months that have ended (final: portal/cache/ended.py), from the cache or
    counted and kept (per company, scope, filters and months)."""
    key = ":".join(str(part) for part in (
        "audit-months", scope.company_id, scope.branch_id, filters.modification_type, filters.within_policy,
        filters.fee_charged, filters.branch_id, piece.first, piece.after))
    kept = kept_pairs([key]).get(key)
    if kept is not None:
        return int(kept[0]), Decimal(kept[1])
    count, fees = _added_up([_buckets_summed(scope, filters, [piece])])
    keep_pairs({key: (count, str(fees))})
    return count, fees


def _buckets_summed(scope: Scope, filters: AuditFilters, pieces: list[Buckets]) -> Select:
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
    return select(func.coalesce(func.sum(total.modifications), 0), func.coalesce(func.sum(total.fees), 0)) \
        .where(*criteria, or_(false(), *periods))


def export_rows(scope: Scope, filters: AuditFilters, tz_name: str) -> Iterator[tuple]:
    """The filtered audit trail, one row (CSV_COLUMNS) per modification, read in batches."""
    ids = select(M.id).where(*_criteria(scope, filters, tz_name))
    stmt = (_joined().where(M.id.in_(ids)).order_by(M.created_at.desc(), M.id.desc())
            .execution_options(yield_per=500))
    for row in db.session.execute(stmt):
        yield _csv_row(AuditRow(*row), tz_name)


def _csv_row(row: AuditRow, tz_name: str) -> tuple:
    meta = row.meta
    local = to_local(row.created_at, tz_name)
    return (row.id, row.created_at.isoformat(sep=" "), local.strftime("%Y-%m-%d %H:%M %Z"),
            row.modification_type, "yes" if row.within_policy else "no", f"{row.fee_charged:.2f}",
            "yes" if meta.get("fee_waived") else "no", "yes" if meta.get("forced") else "no",
            meta.get("hours_notice", ""), row.reason or "", row.customer_name,
            row.customer_id, row.appointment_id, row.branch_name, row.actor or row.modified_by_type)

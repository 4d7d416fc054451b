"""The queue: filters, tab counts and seek pagination that stays fast however deep the page.

Order: overdue first, then the earliest deadline, then priority (urgent first), then id. Within
one status that order is exactly the index (company_id or branch_id, status, expires_at,
priority_rank, id), so each status is read as an index seek starting after the last row shown,
never skipping rows with OFFSET. A tab spanning several statuses merges one such seek per status
(each reads at most a page). On open callbacks "overdue first" falls out of the deadline order;
the "all" tab, which mixes in closed callbacks, reads overdue open ones as a first segment.
"""
import re
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from portal.cache import generation
from portal.cache.callback_changes import keep, kept
from portal.cache.codec import CodecError, decode, encode
from portal.domain.callbacks import OPEN, STATUSES, Badge, deadline_badge
from portal.domain.messages import M_
from portal.extensions import db
from portal.models import (
    CLOSED_STATUSES,
    NO_ASSIGNEE,
    Branch,
    CallbackClosedCount,
    CallbackClosedTotal,
    CallbackEscalation,
    Service,
    Staff,
)
from portal.models import CallbackRequest as CR
from portal.services.callbacks.access import callback_criteria
from portal.services.callbacks.intake import normalize_phone
from portal.services.callbacks.policy import PolicyBook
from portal.services.rows import own_columns
from portal.services.scope import Scope

TABS = ("open", "pending", "assigned", "contacted", "completed", "cancelled", "expired", "all")
TAB_STATUSES = {"open": OPEN, "all": STATUSES, **{status: (status,) for status in STATUSES}}
ASSIGNEES = ("anyone", "me", "unassigned")


@dataclass(frozen=True)
class QueueFilter:
    tab: str = "open"
    priority: str = ""
    branch_id: int | None = None
    assignee: str = "anyone"
    overdue: bool = False
    search: str = ""


@dataclass(frozen=True, order=True)
class Key:
    """A row's place in the queue: (segment, deadline, priority rank, id)."""

    segment: int
    expires_at: datetime
    rank: int
    id: int

    def token(self) -> str:
        return f"{self.segment}.{self.expires_at:%Y%m%d%H%M%S%f}.{self.rank}.{self.id}"

    @classmethod
    def parse(cls, token: str) -> "Key":
        """ValueError unless `token` is what token() makes."""
        match = re.fullmatch(r"(\d)\.(\d{20})\.(\d)\.(\d{1,18})", token or "", re.ASCII)
        if match is None:
            raise ValueError(M_("This page link is damaged; start again from the first page."))
        segment, stamp, rank, ident = match.groups()
        try:
            moment = datetime.strptime(stamp, "%Y%m%d%H%M%S%f")
        except ValueError:
            raise ValueError(M_("This page link is damaged; start again from the first page.")) from None
        return cls(int(segment), moment, int(rank), int(ident))


@dataclass(frozen=True)
class Page:
    ids: list[int]
    first: Key | None
    last: Key | None
    has_next: bool
    has_prev: bool
    callbacks: list["Listed"]  # the page's callbacks, in page order, with the names the table shows


@dataclass(frozen=True)
class Criteria:
    """A view's filters as WHERE criteria over named parameters, with the parameters' values.

    `shape` names which criteria there are (not their values): every statement made from them is
    built once per shape and run with `values` (building one cost more than running it)."""

    shape: tuple
    where: tuple[ColumnElement[bool], ...]
    values: dict[str, object]


def filter_criteria(scope: Scope, f: QueueFilter, region: str, now: datetime) -> Criteria:
    """WHERE criteria of everything but the tab: scope, priority, branch, assignee, overdue, search."""
    values: dict[str, object] = {**scope.run_values(), "priority": f.priority, "branch": f.branch_id,
                                 "staff": scope.staff_id, "now": now}
    assignee = f.assignee if f.assignee != "me" or scope.staff_id else "me-without-staff"
    search: tuple = ()
    if f.search:
        escaped = re.sub(r"([\\%_])", r"\\\1", f.search)
        digits = re.sub(r"\D", "", f.search)
        values.update(name_like=f"%{escaped}%", digits_like=f"%{digits}%")
        with suppress(ValueError):  # not a whole phone number: the digits match still applies
            values["phone"] = normalize_phone(f.search, region)
        search = (len(digits) >= 3, len(digits) >= 3 and "phone" in values)
    shape = (scope.limited, bool(f.priority), bool(f.branch_id), assignee, f.overdue, search)
    return Criteria(shape, _where(shape), values)


@lru_cache(maxsize=256)
def _where(shape: tuple) -> tuple[ColumnElement[bool], ...]:
    limited, priority, branch, assignee, overdue, search = shape
    criteria = callback_criteria(Scope.at_run(limited))
    if priority:
        criteria.append(CR.priority == bindparam("priority"))
    if branch:
        criteria.append(CR.branch_id == bindparam("branch"))
    if assignee == "me":
        criteria.append(CR.assigned_to == bindparam("staff"))
    elif assignee == "me-without-staff":  # no callback can be assigned to them
        criteria.append(false())
    elif assignee == "unassigned":
        criteria.append(CR.assigned_to.is_(None))
    if overdue:
        criteria += [CR.status.in_(OPEN), CR.expires_at < bindparam("now")]
    if search:
        criteria.append(_search(*search))
    return tuple(criteria)


def _search(digits: bool, phone: bool) -> ColumnElement[bool]:
    """Name contains the text, or the phone number contains its digits (or equals it in E.164)."""
    matches: list[ColumnElement[bool]] = [CR.customer_name.like(bindparam("name_like"), escape="\\")]
    if digits:
        matches.append(CR.phone_number.like(bindparam("digits_like")))
    if phone:
        matches.append(CR.phone_number == bindparam("phone"))
    return or_(*matches)


# What a stream adds to its status: the open rows before now (overdue), from now on, or nothing.
BEFORE_NOW, FROM_NOW, ANY_TIME = "before-now", "from-now", ""
TIMES = {BEFORE_NOW: lambda: CR.expires_at < bindparam("now"),
         FROM_NOW: lambda: CR.expires_at >= bindparam("now")}


def _segments(f: QueueFilter) -> list[tuple[tuple[str, str], ...]]:
    """Per segment, the (status, time) streams whose merge gives the queue order."""
    statuses = TAB_STATUSES[f.tab]
    if f.tab == "all" and not f.overdue:
        overdue = tuple((s, BEFORE_NOW) for s in OPEN)
        rest = tuple((s, FROM_NOW) for s in OPEN) + tuple((s, ANY_TIME) for s in STATUSES if s not in OPEN)
        return [overdue, rest]
    return [tuple((s, ANY_TIME) for s in statuses if not f.overdue or s in OPEN)]


def _beyond(backwards: bool):
    """Rows after the key (before it when paging backwards) in queue order, as index-friendly SQL
    over the parameters key_expires, key_rank and key_id."""
    expires: BindParameter = bindparam("key_expires")
    rank: BindParameter = bindparam("key_rank")
    ident: BindParameter = bindparam("key_id")
    if backwards:
        return and_(CR.expires_at <= expires, or_(
            CR.expires_at < expires,
            and_(CR.expires_at == expires, or_(
                CR.priority_rank < rank, and_(CR.priority_rank == rank, CR.id < ident)))))
    return and_(CR.expires_at >= expires, or_(
        CR.expires_at > expires,
        and_(CR.expires_at == expires, or_(
            CR.priority_rank > rank, and_(CR.priority_rank == rank, CR.id > ident)))))


def _seek_listed(criteria: Criteria, segment: int, streams: tuple[tuple[str, str], ...], start: Key | None,
                 limit: int, backwards: bool) -> list[tuple[Key, "Listed"]]:
    """The next `limit` keys of a segment, in order (backwards: in reverse), each with its callback
    as a list shows it: each stream (a status) read from the queue index in order, all streams
    merged (a UNION ALL of one derived table each, ordered and cut to `limit`), and the keys
    joined to their rows, in one statement."""
    after = start is not None and start.segment == segment
    stmt = _listed_statement(criteria.shape, streams, after, limit, backwards)
    found = db.session.execute(stmt, _seek_values(criteria, start, after))
    return [(Key(segment, row.expires_at, row[-1], row.id), Listed(*row[:-1])) for row in found]


def _seek_values(criteria: Criteria, start: Key | None, after: bool) -> dict[str, object]:
    if not after or start is None:
        return criteria.values
    return {**criteria.values, "key_expires": start.expires_at, "key_rank": start.rank, "key_id": start.id}


@lru_cache(maxsize=512)
def _seek_statement(shape: tuple, streams: tuple[tuple[str, str], ...], after: bool, limit: int,
                    backwards: bool) -> Select:
    columns = (CR.expires_at, CR.priority_rank, CR.id)
    order = [column.desc() for column in columns] if backwards else list(columns)
    runs = []
    for status, time in streams:
        stmt = select(*columns).where(*_where(shape), CR.status == status)
        if time:
            stmt = stmt.where(TIMES[time]())
        if after:
            stmt = stmt.where(_beyond(backwards))
        runs.append(stmt.order_by(*order).limit(limit))
    if len(runs) == 1:
        return runs[0]
    # merged in the database too: `limit` rows come back, not `limit` per stream
    merged = union_all(*(select(*run.subquery().c) for run in runs)).subquery()
    by = [merged.c[column.key] for column in columns]
    return select(*merged.c).order_by(*(c.desc() for c in by) if backwards else by).limit(limit)


@lru_cache(maxsize=512)
def _listed_statement(shape: tuple, streams: tuple[tuple[str, str], ...], after: bool, limit: int,
                      backwards: bool) -> Select:
    """_listed() joined to the keys _seek_statement finds, in their order, and each key's rank."""
    keys = _seek_statement(shape, streams, after, limit, backwards).subquery("page_keys")
    by = [keys.c.expires_at, keys.c.priority_rank, keys.c.id]
    return (_listed().add_columns(keys.c.priority_rank).join(keys, keys.c.id == CR.id)
            .where(*Scope.at_run(shape[0]).where(CR))
            .order_by(*(c.desc() for c in by) if backwards else by))


def queue_page(criteria: Criteria, f: QueueFilter, start: Key | None, size: int,
               backwards: bool = False) -> Page:
    """One page of the queue after (or, backwards, before) `start`, with its callbacks: at most
    size+1 rows per segment."""
    segments = list(enumerate(_segments(f)))
    if start is not None:
        segments = [(i, s) for i, s in segments if (i <= start.segment if backwards else i >= start.segment)]
    if backwards:
        segments.reverse()
    found: list[tuple[Key, Listed]] = []
    for index, streams in segments:
        found += _seek_listed(criteria, index, streams, start, size + 1 - len(found), backwards)
        if len(found) > size:
            break
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    keys = [key for key, _ in found]
    return Page([key.id for key in keys], keys[0] if keys else None, keys[-1] if keys else None,
                has_next=more if not backwards else True, has_prev=more if backwards else start is not None,
                callbacks=[callback for _, callback in found])


COUNTS_SECONDS = 60  # the longest a view's counts are kept (a change retires them sooner)


@dataclass(frozen=True)
class KeptCounts:
    counts: dict[str, int]
    overdue: int


def tab_counts(scope: Scope, f: QueueFilter, criteria: Criteria, now: datetime) -> tuple[dict[str, int], int]:
    """Callbacks per tab under the other filters, and how many of them are overdue.

    Open callbacks are counted exactly, from the queue index (only the open rows are read).
    Closed ones come from callback_closed_totals (per branch and status) or, filtered by priority
    or assignee, callback_closed_counts, which the database keeps current (migrations 0008 and
    0012), so no view counts years of history; only a name or phone search, which no counter
    can answer, counts closed rows themselves.

    A view's counts are kept (portal/cache/callback_changes.py) until a commit changes one of
    the company's callbacks, its configuration changes (staff or branches), the next open
    deadline passes (an overdue count would change) or a minute has gone by: a queue is viewed
    far more often than its callbacks change, and the counts read thousands of open rows.
    """
    if f.search:
        return _counted(scope, f, criteria, now)
    mine = scope.staff_id if f.assignee == "me" else ""
    name = (f"queue-counts:{scope.company_id}:{generation(scope.company_id)}:{scope.branch_id}:"
            f"{f.priority}:{f.branch_id}:{f.assignee}:{mine}:{f.overdue:d}")
    value, counters = kept(scope.company_id, name, now)
    with suppress(CodecError):  # data that does not read as the counts is a miss
        if value is not None:
            found = decode(KeptCounts, value)
            return found.counts, found.overdue
    counts, overdue = _counted(scope, f, criteria, now)
    until = min(now + timedelta(seconds=COUNTS_SECONDS), _next_deadline(scope, f, now) or datetime.max)
    keep(name, encode(KeptCounts(counts, overdue)), counters, until, COUNTS_SECONDS)
    return counts, overdue


def _next_deadline(scope: Scope, f: QueueFilter, now: datetime) -> datetime | None:
    """The earliest deadline still ahead among the open callbacks under the view's filters (but
    "overdue only"): when it passes, the overdue count changes. The queue's own seek, one key."""
    criteria = filter_criteria(scope, replace(f, overdue=False, search=""), "", now)
    first = _seek_listed(criteria, 0, tuple((status, FROM_NOW) for status in OPEN), None, 1, False)
    return first[0][0].expires_at if first else None


def _counted(scope: Scope, f: QueueFilter, criteria: Criteria, now: datetime) -> tuple[dict[str, int], int]:
    overdue = func.sum(case((CR.expires_at < now, 1), else_=0))
    open_counts = (select(CR.status, func.count(), overdue).where(*criteria.where, CR.status.in_(OPEN))
                   .group_by(CR.status))
    closed = _closed_counts(scope, f, criteria)
    stmt = open_counts.union_all(closed) if closed is not None else open_counts  # one round trip
    by_status, overdue_total = {}, 0
    for status, count, overdue_count in db.session.execute(stmt, criteria.values):
        by_status[status] = int(count or 0)
        overdue_total += int(overdue_count or 0)
    counts = {tab: sum(by_status.get(s, 0) for s in TAB_STATUSES[tab]) for tab in TABS}
    return counts, overdue_total


def _closed_counts(scope: Scope, f: QueueFilter, criteria: Criteria) -> Select | None:
    """(status, callbacks, 0) per closed status under the filters (None: the view has none)."""
    if f.overdue:  # only open callbacks can be overdue
        return None
    if f.search:
        return select(CR.status, func.count(), literal(0)).where(
            *criteria.where, CR.status.in_(CLOSED_STATUSES)).group_by(CR.status)
    # Per branch and status, a few rows per branch; per priority and assignee as well, a row for
    # every person who ever closed one: read that only when the view filters by them.
    counter: type[CallbackClosedTotal] | type[CallbackClosedCount] = (
        CallbackClosedCount if f.priority or f.assignee != "anyone" else CallbackClosedTotal)
    stmt = select(counter.status, func.sum(counter.callbacks), literal(0)).where(*scope.where(counter))
    if f.branch_id:
        stmt = stmt.where(counter.branch_id == f.branch_id)
    if counter is CallbackClosedCount:
        stmt = stmt.where(*_counted_by(scope, f))
    return stmt.group_by(counter.status)


def _counted_by(scope: Scope, f: QueueFilter) -> list:
    """callback_closed_counts criteria of the priority and assignee filters."""
    counter, criteria = CallbackClosedCount, []
    if f.priority:
        criteria.append(counter.priority == f.priority)
    if f.assignee == "me":
        criteria.append(counter.assignee == scope.staff_id if scope.staff_id else false())
    elif f.assignee == "unassigned":
        criteria.append(counter.assignee == NO_ASSIGNEE)
    return criteria


@dataclass(frozen=True, slots=True)
class Listed:
    """A callback as a list shows it: its own columns, the names of its branch, assignee and
    service, and the reasons of its unresolved escalations (comma-separated, None for none). Read
    as plain columns, not as ORM objects (a page of them cost more than its query)."""

    id: int
    version: int
    status: str
    priority: str
    customer_name: str
    customer_email: str | None
    phone_number: str
    branch_id: int
    service_id: int | None
    staff_id: int | None
    assigned_to: int | None
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None
    contact_attempts: int
    notes: str | None
    branch_name: str
    assignee_name: str | None
    service_name: str | None
    escalated: str | None

    @property
    def escalations(self) -> list[str]:
        return sorted(self.escalated.split(",")) if self.escalated else []


@lru_cache(maxsize=1)
def _listed() -> Select:
    """The columns of Listed, joined to the three names, with the open escalations' reasons from
    the index that keeps one open escalation per reason (open_marker is 1 exactly while
    unresolved), in the same round trip. Built once: a statement is immutable."""
    assignee = aliased(Staff)
    parts = ("branch_name", "assignee_name", "service_name", "escalated")
    own = own_columns(CR, Listed, parts)
    escalated = (select(func.group_concat(CallbackEscalation.escalation_reason))
                 .where(CallbackEscalation.callback_request_id == CR.id,
                        CallbackEscalation.open_marker.is_(True))
                 .scalar_subquery())
    return (select(*own, Branch.name, assignee.name, Service.name, escalated)
            .join(Branch, Branch.id == CR.branch_id)
            .outerjoin(assignee, assignee.id == CR.assigned_to)
            .outerjoin(Service, Service.id == CR.service_id))


@dataclass(frozen=True)
class Row:
    """A callback as the queue shows it."""

    callback: Listed
    badge: Badge
    due_soon_minutes: int
    mine: bool


def queue_rows(scope: Scope, callbacks: list[Listed], now: datetime) -> list[Row]:
    """Rows of a page with their countdown badge (each from its own path's due-soon setting)."""
    book = PolicyBook(scope.company_id)
    rows = []
    for callback in callbacks:
        due_soon = book.for_callback(callback).due_soon_minutes
        badge = deadline_badge(callback.status, callback.expires_at, now, due_soon, callback.completed_at)
        mine = bool(scope.staff_id) and callback.assigned_to == scope.staff_id
        rows.append(Row(callback, badge, due_soon, mine))
    return rows

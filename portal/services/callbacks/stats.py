"""Callback figures of the dashboard: due soon, unresolved escalations, SLA compliance per day."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import get_locale
from sqlalchemy import Select, and_, case, func, select

from portal.cache.ended import keep_pairs, kept_pairs
from portal.domain.callbacks import OPEN, urgency
from portal.domain.clock import local_days
from portal.domain.messages import M_
from portal.domain.policy_schema import TYPE_DEFAULTS
from portal.extensions import db
from portal.models import CallbackEscalation
from portal.models import CallbackRequest as CR
from portal.services.callbacks.policy import PolicyBook
from portal.services.organisation.read import company_zone
from portal.services.scope import Scope

DAYS = 7


@dataclass(frozen=True)
class DayCompliance:
    day: date
    met: int  # completed before the deadline
    total: int  # completed that day

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.total else None


@dataclass(frozen=True)
class Bar:
    """One day of the SLA chart, in SVG user units."""

    x: float
    y: float
    width: float
    height: float
    label: str  # the day, e.g. "Mon 23"
    value: str  # "92 %" or "–"
    title: str  # "11 of 12 completed in time"
    count: str  # "11 of 12" or "none"


def _scoped(scope: Scope, stmt):
    return stmt.where(*scope.where(CR))


def due_soon_count(scope: Scope, now: datetime) -> int:
    """Open callbacks not yet overdue but within their path's due_soon_minutes of the deadline."""
    book = PolicyBook(scope.company_id)
    settings = [row.config.get("due_soon_minutes") for row in book.rows.values()]
    widest = max([TYPE_DEFAULTS["callback"]["due_soon_minutes"], *(s for s in settings if s is not None)])
    candidates = db.session.execute(_scoped(scope, select(
        CR.status, CR.expires_at, CR.branch_id, CR.service_id, CR.staff_id).where(
        CR.status.in_(OPEN), CR.expires_at >= now, CR.expires_at <= now + timedelta(minutes=widest)))).all()
    kinds = (urgency(row.status, row.expires_at, now, book.for_callback(row).due_soon_minutes)
             for row in candidates)
    return sum(1 for kind in kinds if kind == "due_soon")


def unresolved_escalations(scope: Scope) -> Select:
    """The count of escalations not yet resolved, of callbacks in the scope (a statement: the
    dashboard asks it together with its other counts)."""
    stmt = (select(func.count(CallbackEscalation.id))
            .join(CR, CR.id == CallbackEscalation.callback_request_id)
            .where(*scope.whole_company().where(CallbackEscalation),
                   CallbackEscalation.resolved_at.is_(None)))
    return _scoped(scope, stmt)


# A day that has ended keeps its counts (portal/cache/ended.py): the chart counts today and reads
# the six days before it from the cache (a day's entry is written when first counted after it ended).


def sla_compliance(scope: Scope, now: datetime) -> list[DayCompliance]:
    """Per local day of the last 7 (today last): callbacks completed, and how many in time.

    The database counts the days it has to (one aggregate over the completions index; only
    pairs of numbers come back, however busy the days were): today, and the days before it that
    the cache does not hold."""
    tz_name = company_zone(scope.company_id)
    today = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz_name)).date()
    days = [today - timedelta(days=n) for n in reversed(range(DAYS))]
    keys = {day: f"sla-day:{scope.company_id}:{scope.branch_id}:{tz_name}:{day.isoformat()}"
            for day in days[:-1]}
    kept = kept_pairs(list(keys.values()))
    counted = {day: kept[key] for day, key in keys.items() if key in kept}
    to_count = [day for day in days if day not in counted]
    bounds = [local_days(day, day, tz_name) for day in to_count]
    columns = []
    for start, end in bounds:
        on_day = and_(CR.completed_at >= start, CR.completed_at < end, CR.completed_at <= now)
        columns += [func.sum(case((and_(on_day, CR.completed_at <= CR.expires_at), 1), else_=0)),
                    func.sum(case((on_day, 1), else_=0))]
    first = bounds[0][0]
    assert first is not None  # local_days of a given day has both bounds
    row = db.session.execute(_scoped(scope, select(*columns).where(
        CR.status == "completed", CR.completed_at >= first, CR.completed_at <= now))).one()
    fresh = {day: (int(row[2 * n] or 0), int(row[2 * n + 1] or 0)) for n, day in enumerate(to_count)}
    keep_pairs({keys[day]: pair for day, pair in fresh.items() if day != today})
    counted.update(fresh)
    return [DayCompliance(day, *counted[day]) for day in days]


def sla_bars(days: list[DayCompliance], width: float = 560, height: float = 160) -> list[Bar]:
    """Bars of the compliance chart: one per day, height ∝ share met; a day without completions
    gets no bar and the value "–" (nothing to measure, which is not 0 %)."""
    slot = width / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        share = day.share
        bar_height = round(height * share, 1) if share is not None else 0.0
        bars.append(Bar(
            x=round(index * slot + slot * 0.15, 1), y=round(height - bar_height, 1),
            width=round(slot * 0.7, 1),
            height=bar_height, label=format_date(day.day, "EEE d", locale=get_locale() or "en"),
            value=f"{round(share * 100)} %" if share is not None else "–",
            title=M_("%(met)s of %(total)s completed in time", met=day.met, total=day.total) if day.total
            else M_("no callbacks completed"),
            count=M_("%(met)s of %(total)s", met=day.met, total=day.total) if day.total else M_("none"),
        ))
    return bars

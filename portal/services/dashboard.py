"""The numbers on the landing page, for the signed-in user's scope."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select

from portal.domain.clock import local_day_bounds
from portal.extensions import db
from portal.models import (
    APPOINTMENT_STATUSES,
    OPEN_STATUSES,
    Appointment,
    CallbackRequest,
    PolicyConfiguration,
    Staff,
)
from portal.services.callbacks.stats import (
    Bar,
    DayCompliance,
    due_soon_count,
    sla_bars,
    sla_compliance,
    unresolved_escalations,
)
from portal.services.delivery.read import failed_recently
from portal.services.organisation.read import company_zone
from portal.services.scope import Scope


@dataclass(frozen=True)
class DashboardNumbers:
    open_callbacks: int
    overdue_callbacks: int
    policy_rows: int
    appointments_today: int
    due_soon_callbacks: int = 0
    unresolved_escalations: int = 0
    sla_days: tuple[DayCompliance, ...] = ()
    failed_deliveries: int = 0  # notifications that failed in the last 24 h

    @property
    def sla_week(self) -> tuple[int, int]:
        """(completed in time, completed) over the chart's days."""
        return sum(d.met for d in self.sla_days), sum(d.total for d in self.sla_days)

    @property
    def sla_bars(self) -> list[Bar]:
        return sla_bars(list(self.sla_days))


def _open_callbacks(scope: Scope, now: datetime) -> Select:
    """(open callbacks, of which overdue) in one pass over the queue index."""
    overdue = func.count(case((CallbackRequest.expires_at < now, CallbackRequest.id)))
    return select(func.count(CallbackRequest.id).label("open"), overdue.label("overdue")).where(
        *scope.where(CallbackRequest), CallbackRequest.status.in_(OPEN_STATUSES))


def _policy_rows(scope: Scope) -> Select:
    stmt = select(func.count(PolicyConfiguration.id)).where(
        *scope.where(PolicyConfiguration), PolicyConfiguration.live.is_(True))
    if scope.limited:  # a manager counts the rows of their branch and its staff
        branch_staff = select(Staff.id).where(*scope.where(Staff))
        stmt = stmt.where(or_(
            (PolicyConfiguration.configurable_type == "branch")
            & (PolicyConfiguration.configurable_id == scope.branch_id),
            (PolicyConfiguration.configurable_type == "staff")
            & PolicyConfiguration.configurable_id.in_(branch_staff),
        ))
    return stmt


COUNTED_STATUSES = tuple(status for status in APPOINTMENT_STATUSES if status != "cancelled")


def _appointments_today(scope: Scope, now: datetime) -> Select:
    """Today's appointments but the cancelled ones: named statuses (not `!= cancelled`), so that
    each is a range of (company_id, status, starts_at) and the count never reads a row."""
    start, end = local_day_bounds(now, company_zone(scope.company_id))
    return select(func.count(Appointment.id)).where(
        *scope.where(Appointment), Appointment.starts_at >= start, Appointment.starts_at < end,
        Appointment.status.in_(COUNTED_STATUSES))


def dashboard_numbers(scope: Scope, now: datetime) -> DashboardNumbers:
    """Real counts for one scope at time `now` (naive UTC). The plain counts are one statement
    (each a subquery on its own index): a round trip costs more than most of them."""
    open_ = _open_callbacks(scope, now).subquery()
    counts = {"policy_rows": _policy_rows(scope), "appointments_today": _appointments_today(scope, now),
              "unresolved_escalations": unresolved_escalations(scope),
              "failed_deliveries": failed_recently(scope, now)}
    open_callbacks, overdue_callbacks, *values = db.session.execute(
        select(open_.c.open, open_.c.overdue, *(count.scalar_subquery() for count in counts.values()))).one()
    return DashboardNumbers(
        int(open_callbacks or 0), int(overdue_callbacks or 0),
        **{name: int(value or 0) for name, value in zip(counts, values, strict=True)},
        due_soon_callbacks=due_soon_count(scope, now),
        sla_days=tuple(sla_compliance(scope, now)),
    )

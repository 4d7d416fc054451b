"""The numbers on the landing page, for the signed-in user's scope."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_, select

from portal.domain.clock import local_day_bounds
from portal.extensions import db
from portal.models import (
    OPEN_STATUSES,
    Appointment,
    CallbackRequest,
    PolicyConfiguration,
    Staff,
)
from portal.services.callbacks.intake import company_zone
from portal.services.callbacks.stats import (
    Bar,
    DayCompliance,
    due_soon_count,
    sla_bars,
    sla_compliance,
    unresolved_escalations,
)
from portal.services.delivery.read import failed_recently
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


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def _open_callbacks(scope: Scope, now: datetime) -> tuple[int, int]:
    """(open callbacks, of which overdue): one pass over the open ones."""
    total, overdue = db.session.execute(select(
        func.count(CallbackRequest.id), func.sum(case((CallbackRequest.expires_at < now, 1), else_=0)),
    ).where(*scope.where(CallbackRequest), CallbackRequest.status.in_(OPEN_STATUSES))).one()
    return int(total or 0), int(overdue or 0)


def _policy_rows(scope: Scope) -> int:
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
    return _count(stmt)


def _appointments_today(scope: Scope, now: datetime) -> int:
    tz_name = company_zone(scope.company_id)
    start, end = local_day_bounds(now, tz_name)
    return _count(select(func.count(Appointment.id)).where(
        *scope.where(Appointment), Appointment.starts_at >= start, Appointment.starts_at < end,
        Appointment.status != "cancelled"))


def dashboard_numbers(scope: Scope, now: datetime) -> DashboardNumbers:
    """Real counts for one scope at time `now` (naive UTC)."""
    open_callbacks, overdue_callbacks = _open_callbacks(scope, now)
    return DashboardNumbers(
        open_callbacks=open_callbacks,
        overdue_callbacks=overdue_callbacks,
        policy_rows=_policy_rows(scope),
        appointments_today=_appointments_today(scope, now),
        due_soon_callbacks=due_soon_count(scope, now),
        unresolved_escalations=unresolved_escalations(scope),
        sla_days=tuple(sla_compliance(scope, now)),
        failed_deliveries=failed_recently(scope, now),
    )

"""What is still attached to a branch, service or staff member: the page that deactivates it says
so first, and what will happen to each (DESIGN §9: nothing is deleted)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.models import (
    OPEN_STATUSES,
    Appointment,
    Branch,
    CallbackRequest,
    NotificationConfiguration,
    PolicyConfiguration,
    Staff,
    User,
    branch_services,
    staff_services,
)
from portal.services.organisation.nodes import Node
from portal.services.scope import Scope


@dataclass(frozen=True)
class Attachments:
    open_callbacks: int
    future_appointments: int
    users: tuple[tuple[int, str, str], ...]  # (id, name, role label) of sign-in accounts
    staff: int  # a branch: its active staff; a service: who performs it
    offered_at: int  # a service: the active branches offering it
    policy_rows: int
    notification_rows: int

    @property
    def anything(self) -> bool:
        return bool(self.open_callbacks or self.future_appointments or self.users or self.staff
                    or self.offered_at or self.policy_rows or self.notification_rows)


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def _callback_criteria(entity: Node):
    column = {"branch": CallbackRequest.branch_id, "service": CallbackRequest.service_id}.get(entity.level)
    if column is not None:
        return column == entity.id
    return or_(CallbackRequest.assigned_to == entity.id, CallbackRequest.staff_id == entity.id)


def _appointment_column(level: str):
    return {"branch": Appointment.branch_id, "service": Appointment.service_id,
            "staff": Appointment.staff_id}[level]


def _users(entity: Node) -> tuple[tuple[int, str, str], ...]:
    column = {"branch": User.branch_id, "staff": User.staff_id}.get(entity.level)
    if column is None:
        return ()
    stmt = Scope.company(entity.company_id).select(User, column == entity.id, User.is_active)
    rows = db.session.scalars(stmt.order_by(User.name))
    return tuple((user.id, user.name, user.role_label) for user in rows)


def _people(entity: Node) -> int:
    company = Scope.company(entity.company_id)
    if entity.level == "branch":
        return _count(select(func.count(Staff.id)).where(*company.where(Staff), Staff.branch_id == entity.id,
                                                          Staff.is_active))
    if entity.level == "service":
        performers = select(func.count()).select_from(staff_services).join(
            Staff, Staff.id == staff_services.c.staff_id)
        return _count(performers.where(*company.where(Staff), staff_services.c.service_id == entity.id,
                                       Staff.is_active))
    return 0


def _offered_at(entity: Node) -> int:
    if entity.level != "service":
        return 0
    return _count(select(func.count()).select_from(branch_services)
                  .join(Branch, Branch.id == branch_services.c.branch_id)
                  .where(*Scope.company(entity.company_id).where(Branch),
                         branch_services.c.service_id == entity.id, Branch.is_active))


def _configuration_rows(entity: Node) -> tuple[int, int]:
    company = Scope.company(entity.company_id)
    policies = _count(select(func.count(PolicyConfiguration.id)).where(
        *company.where(PolicyConfiguration), PolicyConfiguration.configurable_type == entity.level,
        PolicyConfiguration.configurable_id == entity.id, PolicyConfiguration.live.is_(True)))
    cells = NotificationConfiguration
    notifications = _count(select(func.count(cells.id)).where(
        *company.where(cells), cells.configurable_type == entity.level, cells.configurable_id == entity.id))
    return policies, notifications


def attachments(entity: Node, now: datetime) -> Attachments:
    """Counts of what is attached to `entity`, in a handful of queries."""
    company = Scope.company(entity.company_id)
    callbacks = _count(select(func.count(CallbackRequest.id)).where(
        *company.where(CallbackRequest), CallbackRequest.status.in_(OPEN_STATUSES),
        _callback_criteria(entity)))
    appointments = _count(select(func.count(Appointment.id)).where(
        *company.where(Appointment), _appointment_column(entity.level) == entity.id,
        Appointment.status == "scheduled", Appointment.starts_at > now))
    policies, notifications = _configuration_rows(entity)
    return Attachments(callbacks, appointments, _users(entity), _people(entity), _offered_at(entity),
                       policies, notifications)

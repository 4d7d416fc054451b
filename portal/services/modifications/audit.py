"""The modifications audit trail: filters, totals and the CSV export over one query shape."""
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from portal.domain.clock import local_days, to_local
from portal.extensions import db
from portal.models import Appointment, AppointmentModification, Branch, Customer, User
from portal.services.appointments.read import appointment_criteria, customer_matches
from portal.services.scope import Scope

CSV_COLUMNS = ("id", "created_at_utc", "created_at_local", "type", "within_policy", "fee_charged_eur",
               "fee_waived", "forced", "hours_notice", "reason", "customer", "customer_id",
               "appointment_id", "branch", "modified_by")


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


def _conditions(filters: AuditFilters, tz_name: str) -> list:
    model = AppointmentModification
    conditions = []
    if filters.modification_type:
        conditions.append(model.modification_type == filters.modification_type)
    if filters.within_policy is not None:
        conditions.append(model.within_policy.is_(filters.within_policy))
    if filters.fee_charged is not None:
        conditions.append(model.fee_charged > 0 if filters.fee_charged else model.fee_charged == 0)
    if filters.branch_id is not None:
        conditions.append(Appointment.branch_id == filters.branch_id)
    start, end = local_days(filters.date_from, filters.date_to, tz_name)
    if start is not None:
        conditions.append(model.created_at >= start)
    if end is not None:
        conditions.append(model.created_at < end)
    if filters.customer.strip():
        conditions.append(customer_matches(filters.customer))
    return conditions


def _filtered(stmt: Select, scope: Scope, filters: AuditFilters, tz_name: str) -> Select:
    model = AppointmentModification
    return (stmt.join(Appointment, Appointment.id == model.appointment_id)
            .join(Customer, Customer.id == model.customer_id)
            .where(*scope.whole_company().where(model), *appointment_criteria(scope),
                   *_conditions(filters, tz_name)))


def audit_query(scope: Scope, filters: AuditFilters, tz_name: str) -> Select:
    """Rows of the audit page, newest first."""
    actor = aliased(User)
    stmt = select(AppointmentModification, Appointment, Customer, Branch, actor.name)
    stmt = _filtered(stmt, scope, filters, tz_name).join(Branch, Branch.id == Appointment.branch_id)
    stmt = stmt.outerjoin(actor, (AppointmentModification.modified_by_type == "user")
                          & (actor.id == AppointmentModification.modified_by_id))
    return stmt.order_by(AppointmentModification.created_at.desc(), AppointmentModification.id.desc())


def audit_rows(stmt: Select, limit: int, offset: int) -> list[AuditRow]:
    return [AuditRow(*row) for row in db.session.execute(stmt.limit(limit).offset(offset))]


def audit_totals(scope: Scope, filters: AuditFilters, tz_name: str) -> tuple[int, Decimal]:
    """(number of modifications, fees charged) of the filtered set, summed by the database."""
    model = AppointmentModification
    stmt = _filtered(select(func.count(model.id), func.coalesce(func.sum(model.fee_charged), 0)),
                     scope, filters, tz_name)
    count, fees = db.session.execute(stmt).one()
    return int(count), Decimal(fees).quantize(Decimal("0.01"))


def export_rows(scope: Scope, filters: AuditFilters, tz_name: str) -> Iterator[tuple]:
    """The filtered audit trail, one row (CSV_COLUMNS) per modification, read in batches."""
    stmt = audit_query(scope, filters, tz_name).execution_options(yield_per=500)
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

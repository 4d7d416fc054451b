"""Reading appointments, their history and customers, within what the signed-in user may see.

Admins see the whole company; a branch manager sees the appointments of their branch, the
customers who have an appointment there, and the modifications of those appointments. Every
query carries the company (and branch) filter itself, so anything outside is simply not found.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.domain.clock import local_days
from portal.domain.parsing import parse_id
from portal.extensions import db
from portal.models import Appointment, AppointmentModification, Branch, Customer, Service, Staff, User
from portal.services.choices import Choice, choices
from portal.services.rows import own_columns
from portal.services.scope import Scope

ListedModification = tuple  # (AppointmentModification, actor name or None)


def appointment_criteria(scope: Scope) -> list:
    return scope.where(Appointment)


def with_parts(stmt: Select) -> Select:
    """Load what pages and decisions read, in the same query (templates never query)."""
    return stmt.options(joinedload(Appointment.company), joinedload(Appointment.branch),
                        joinedload(Appointment.service), joinedload(Appointment.staff),
                        joinedload(Appointment.customer))


@dataclass(frozen=True, slots=True)
class ListedAppointment:
    """An appointment as the list shows it: its own columns and the names of its parts. Read as
    plain columns, not ORM objects (25 entities with four joined parts cost more than the query)."""

    id: int
    starts_at: datetime
    recurring_series_id: int | None
    status: str
    price: Decimal | None
    customer_id: int
    customer_name: str
    service_name: str
    staff_name: str | None
    branch_name: str


@lru_cache(maxsize=1)
def _listed() -> Select:
    """The columns of ListedAppointment, joined to the names (staff is optional). Built once: a
    statement is immutable."""
    parts = ("customer_name", "service_name", "staff_name", "branch_name")
    own = own_columns(Appointment, ListedAppointment, parts)
    return (select(*own, Customer.name, Service.name, Staff.name, Branch.name)
            .join(Customer, Customer.id == Appointment.customer_id)
            .join(Service, Service.id == Appointment.service_id)
            .outerjoin(Staff, Staff.id == Appointment.staff_id)
            .join(Branch, Branch.id == Appointment.branch_id))


def find_appointment(scope: Scope, appointment_id) -> Appointment | None:
    """One appointment within the scope, with its branch, service, staff and customer."""
    ident = parse_id(appointment_id)
    if ident is None:
        return None
    return db.session.scalar(with_parts(scope.select(Appointment, Appointment.id == ident)))


@dataclass(frozen=True)
class AppointmentFilters:
    date_from: date | None = None
    date_to: date | None = None
    branch_id: int | None = None
    staff_id: int | None = None
    status: str | None = None
    customer: str = ""


def customer_matches(text: str):
    """Criterion: a customer whose name, phone or email contains `text` (any case)."""
    needle = text.strip().lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True)
                 for column in (Customer.name, Customer.phone, Customer.email)))


def appointment_list_criteria(scope: Scope, filters: AppointmentFilters, tz_name: str) -> list:
    """WHERE criteria of the list on appointments alone (a customer search as an IN subquery),
    so the list is counted and paged on the (company or branch, starts_at) index."""
    criteria = appointment_criteria(scope)
    start, end = local_days(filters.date_from, filters.date_to, tz_name)
    if start is not None:
        criteria.append(Appointment.starts_at >= start)
    if end is not None:
        criteria.append(Appointment.starts_at < end)
    for column, value in ((Appointment.branch_id, filters.branch_id),
                          (Appointment.staff_id, filters.staff_id), (Appointment.status, filters.status)):
        if value is not None:
            criteria.append(column == value)
    if filters.customer.strip():
        criteria.append(Appointment.customer_id.in_(select(Customer.id).where(
            *scope.whole_company().where(Customer), customer_matches(filters.customer))))
    return criteria


def appointment_page(scope: Scope, filters: AppointmentFilters, tz_name: str, number: int,
                     size: int) -> tuple[list[ListedAppointment], int, int]:
    """(appointments of page `number`, soonest first, with their parts; the page number, clamped
    to the last page; how many match): the count and the page's ids come from the index, and only
    those ids are loaded with their branch, service, staff and customer."""
    criteria = appointment_list_criteria(scope, filters, tz_name)
    total = db.session.scalar(select(func.count(Appointment.id)).where(*criteria)) or 0
    number = min(max(number, 1), max(1, -(-total // size)))
    ids = list(db.session.scalars(select(Appointment.id).where(*criteria)
                                  .order_by(Appointment.starts_at, Appointment.id)
                                  .limit(size).offset((number - 1) * size)))
    if not ids:
        return [], number, total
    found = {row[0]: ListedAppointment(*row) for row in db.session.execute(
        _listed().where(Appointment.id.in_(ids)))}
    return [found[ident] for ident in ids if ident in found], number, total


def staff_filter_choices(scope: Scope, branch_id: int | None, staff_id: int | None) -> list[Choice]:
    """Staff a person can filter the list by: those of the chosen branch (a manager's, their own),
    so a chain's thousands of staff are never one list, and the staff member already chosen (a
    link may name one, or the branch changed since)."""
    listed: list[Choice] = []
    if scope.branch_id is not None:
        listed = choices(scope, Staff, "all")
    elif branch_id is not None:
        listed = choices(scope, Staff, f"branch-{branch_id}", Staff.branch_id == branch_id)
    if staff_id is None or any(choice.id == staff_id for choice in listed):
        return listed
    chosen = db.session.execute(select(Staff.id, Staff.name).where(*scope.where(Staff), Staff.id == staff_id))
    return [Choice(row.id, row.name) for row in chosen] + listed


def branch_choices(scope: Scope) -> list[Choice]:
    """Branches a person can filter by in this scope."""
    return choices(scope, Branch, "all")


def modifications_with_actor(*criteria, limit: int = 200) -> list[ListedModification]:
    """Modifications matching `criteria`, newest first, with the name of the user who made them."""
    actor = aliased(User)
    stmt = (select(AppointmentModification, actor.name)
            .outerjoin(actor, (AppointmentModification.modified_by_type == "user")
                       & (actor.id == AppointmentModification.modified_by_id))
            .where(*criteria)
            .order_by(AppointmentModification.created_at.desc(), AppointmentModification.id.desc())
            .limit(limit))
    return [tuple(row) for row in db.session.execute(stmt)]


def appointment_history(appointment: Appointment) -> list[ListedModification]:
    return modifications_with_actor(*Scope.company(appointment.company_id).where(AppointmentModification),
                                    AppointmentModification.appointment_id == appointment.id)


def series_members(appointment: Appointment) -> list[Appointment]:
    """Every appointment of the appointment's recurring series, in order (empty: not in one)."""
    if appointment.recurring_series_id is None:
        return []
    return list(db.session.scalars(select(Appointment).where(
        *Scope.company(appointment.company_id).where(Appointment),
        Appointment.recurring_series_id == appointment.recurring_series_id,
    ).order_by(Appointment.starts_at, Appointment.id)))


def customer_criteria(scope: Scope) -> list:
    """A customer is in a manager's scope when they have an appointment at the manager's branch."""
    return scope.where(Customer)


def find_customer(scope: Scope, customer_id) -> Customer | None:
    return scope.get(Customer, customer_id)


def search_customers(scope: Scope, text: str, limit: int = 10) -> list[Customer]:
    """Customers in scope matching a name, phone, email or "#id"."""
    text = text.strip()
    if parse_id(text.lstrip("#")) is not None:
        found = find_customer(scope, text.lstrip("#"))
        return [found] if found else []
    return list(db.session.scalars(select(Customer).where(
        *customer_criteria(scope), customer_matches(text)).order_by(Customer.name).limit(limit)))


def upcoming_for_customer(scope: Scope, customer_id: int, now, limit: int = 10) -> list[Appointment]:
    """The customer's next scheduled appointments within the scope."""
    return list(db.session.execute(with_parts(select(Appointment).where(
        *appointment_criteria(scope), Appointment.customer_id == customer_id,
        Appointment.status == "scheduled", Appointment.starts_at > now,
    )).order_by(Appointment.starts_at, Appointment.id).limit(limit)).unique().scalars())


def customer_history(scope: Scope, customer_id: int) -> list[ListedModification]:
    """The customer's modifications, of appointments within the scope."""
    return modifications_with_actor(*scope.where(AppointmentModification),
                                    AppointmentModification.customer_id == customer_id)

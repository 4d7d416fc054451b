"""What every view of the area shares: who may use it, lookups that 404, local time, paging."""
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from flask import abort, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from portal.appointments import bp
from portal.domain.clock import whole_seconds
from portal.extensions import db
from portal.models import utcnow
from portal.services.appointments.read import find_appointment, find_customer
from portal.web.inputs import arg_page
from portal.web.scope import current_scope
from portal.web.security import roles_required
from portal.web.templating import company_tz, local_time  # noqa: F401  (company_tz: used by the views)

# Appointments are for admins (whole company) and branch managers (their branch); agents: 403.
appointments_roles = roles_required("admin", "branch_manager")


def decision_time() -> datetime:
    """`now` for decisions: whole seconds, as stored on MariaDB, so a preview and its record agree."""
    return whole_seconds(utcnow())


def appointment_or_404(appointment_id: int):
    """An appointment the signed-in user may see; anything else (other company or branch) 404."""
    appointment = find_appointment(current_scope(), appointment_id)
    if appointment is None:
        abort(404)
    return appointment


def customer_or_404(customer_id: int):
    customer = find_customer(current_scope(), customer_id)
    if customer is None:
        abort(404)
    return customer


@bp.app_template_filter("hours")
def hours(value) -> str:
    """Hours of notice as the reasons write them: rounded down to 0.1 h, "5.5" or "24"."""
    shown = Decimal(str(value)).quantize(Decimal("0.1"), ROUND_FLOOR)
    return f"{shown:f}".removesuffix(".0")


@bp.app_template_filter("iso_local_time")
def iso_local_time(text: str | None, pattern: str = "%a %d %b %Y, %H:%M %Z") -> str:
    """A time stored as ISO text (modification metadata) in the company zone."""
    if not text:
        return "—"
    try:
        return local_time(datetime.fromisoformat(text), pattern)
    except ValueError:
        return text


@dataclass(frozen=True)
class Page:
    """One page of a list, with what the pagination macro needs."""

    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def numbers(self) -> list[int | None]:
        """Page numbers to offer: the first, the last and two around this one; None for a gap."""
        wanted = {1, self.pages, *range(self.number - 2, self.number + 3)}
        shown: list[int | None] = []
        previous = 0
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if number - previous > 1:
                shown.append(None)
            shown.append(number)
            previous = number
        return shown


def page_number() -> int:
    return arg_page()


def per_page() -> int:
    from flask import current_app

    return current_app.config.get("PAGE_SIZE", 25)


def paginate_entities(stmt: Select) -> Page:
    """A page of a single-entity SELECT (joined eager loads kept, counted without them)."""
    size = per_page()
    total = db.session.scalar(select(func.count()).select_from(
        stmt.options(lazyload("*")).order_by(None).subquery())) or 0
    number = min(page_number(), max(1, -(-total // size)))
    items = list(db.session.execute(stmt.limit(size).offset((number - 1) * size)).unique().scalars())
    return Page(items, number, size, total)


def page_args(form) -> dict:
    """The filters of this page (the form's own fields, nothing else from the query string) for the
    pagination and export links: url_for must never see a request's _external, _anchor, …"""
    return {name: request.args[name] for name in form._fields if request.args.get(name)}

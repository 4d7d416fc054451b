"""What every view of the area shares: who may use it, lookups that 404, local time, paging."""
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from flask import abort

from portal.appointments import bp
from portal.domain.clock import whole_seconds
from portal.models import utcnow
from portal.services.appointments.read import find_appointment, find_customer
from portal.translations.runtime import param
from portal.web.pagination import (  # noqa: F401  (used by the views)
    Page,
    page_args,
    page_number,
    paginate_entities,
    per_page,
)
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
    text = f"{shown:f}".removesuffix(".0")
    return str(param(Decimal(text)))  # the page's decimal sign (de "5,5")


@bp.app_template_filter("iso_local_time")
def iso_local_time(text: str | None, pattern: str = "%a %d %b %Y, %H:%M %Z") -> str:
    """A time stored as ISO text (modification metadata) in the company zone."""
    if not text:
        return "—"
    try:
        return local_time(datetime.fromisoformat(text), pattern)
    except ValueError:
        return text

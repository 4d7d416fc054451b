"""Appointments list, detail and customer pages."""
from datetime import datetime

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.appointments import bp
from portal.appointments.common import (
    Page,
    appointment_or_404,
    appointments_roles,
    company_tz,
    customer_or_404,
    decision_time,
    page_args,
    page_number,
    per_page,
)
from portal.appointments.forms import AppointmentFilterForm, id_choices
from portal.domain.clock import to_local
from portal.models import utcnow
from portal.services.appointments.read import (
    AppointmentFilters,
    appointment_history,
    appointment_page,
    branch_choices,
    customer_history,
    series_members,
    staff_filter_choices,
    upcoming_for_customer,
)
from portal.services.delivery.read import event_labels, section
from portal.services.modifications.policy import customer_outlook
from portal.web.scope import current_scope

UPCOMING_ON_CUSTOMER_PAGE = 10


def _filter_form() -> AppointmentFilterForm:
    form = AppointmentFilterForm(formdata=request.args)
    if not request.args:  # a first visit shows what is coming up, from today
        form.date_from.data = to_local(utcnow(), company_tz()).date()
    scope = current_scope()
    form.branch.choices = id_choices(_("All branches") if current_user.is_admin else _("Your branch"),
                                     branch_choices(scope))
    staff = staff_filter_choices(scope, form.branch.data, form.staff.data)
    form.staff.choices = id_choices(_("All staff"), staff)
    return form


@bp.get("/")
@appointments_roles
def index():
    form = _filter_form()
    if request.args and not form.validate():
        return render_template("appointments/index.html", form=form, page=None, page_args={}), 400
    filters = AppointmentFilters(form.date_from.data, form.date_to.data, form.branch.data,
                                 form.staff.data, form.status.data or None, form.customer.data or "")
    items, number, total = appointment_page(current_scope(), filters, company_tz(), page_number(), per_page())
    page = Page(items, number, per_page(), total)
    return render_template("appointments/index.html", form=form, page=page, page_args=page_args(form))


@bp.get("/<int:appointment_id>")
@appointments_roles
def detail(appointment_id):
    appointment = appointment_or_404(appointment_id)
    return render_template("appointments/detail.html", appointment=appointment,
                           history=appointment_history(appointment),
                           series=series_members(appointment), now=utcnow(),
                           deliveries=section(current_scope(), appointment_id=appointment.id),
                           delivery_labels=event_labels())


@bp.get("/customers/<int:customer_id>")
@appointments_roles
def customer(customer_id):
    person, scope, now = customer_or_404(customer_id), current_scope(), decision_time()
    upcoming = upcoming_for_customer(scope, person.id, now, UPCOMING_ON_CUSTOMER_PAGE)
    default_path = [("company", scope.company_id, current_user.company.name)]
    if current_user.branch_id and not current_user.is_admin:
        default_path.append(("branch", current_user.branch_id, current_user.branch.name))
    outlook = customer_outlook(scope.company_id, person.id, upcoming, now, default_path)
    return render_template("appointments/customer.html", customer=person, now=now, outlook=outlook,
                           history=customer_history(scope, person.id),
                           deliveries=section(scope, customer_id=person.id), delivery_labels=event_labels())


def as_local_input(moment: datetime) -> str:
    """A stored time as the value of a datetime-local input."""
    return to_local(moment, company_tz()).strftime("%Y-%m-%dT%H:%M")


from portal.appointments import audit, modify, stats  # noqa: E402,F401  (the area's other views)

"""The modifications audit trail (read-only): filters, totals, CSV export, one record's details."""
from flask import abort, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.appointments import bp
from portal.appointments.common import (
    appointment_or_404,
    appointments_roles,
    company_tz,
    page_args,
    per_page,
)
from portal.appointments.forms import AuditFilterForm, id_choices, yes_no
from portal.domain.clock import to_local
from portal.domain.messages import from_message_data
from portal.domain.policy_schema import POLICY_TYPES, display_value, key_specs
from portal.models import AppointmentModification, utcnow
from portal.services.appointments.read import branch_choices, modifications_with_actor
from portal.services.modifications.audit import (
    CSV_COLUMNS,
    AuditFilters,
    Cursor,
    audit_page,
    audit_totals,
    export_rows,
)
from portal.web.csv import csv_response
from portal.web.scope import current_scope


def _audit_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    branches = branch_choices(current_scope())
    form.branch.choices = id_choices(_("All branches") if current_user.is_admin else _("Your branch"),
                                     branches)
    return form


def _filters(form: AuditFilterForm) -> AuditFilters:
    return AuditFilters(form.type.data or None, yes_no(form.within_policy.data),
                        yes_no(form.fee_charged.data),
                        form.customer.data or "", form.branch.data, form.date_from.data, form.date_to.data)


def _valid_form() -> AuditFilterForm:
    """The filter form, or the page again with the errors beside its fields (400)."""
    form = _audit_form()
    if not form.validate():
        abort(make_response(render_template("appointments/audit.html", form=form, page=None, totals=None,
                                            page_args={}), 400))
    return form


def _cursor() -> tuple[Cursor | None, bool]:
    """Where the page starts: after the row of `older=…`, or before the row of `newer=…`."""
    token = request.args.get("newer") or request.args.get("older")
    if not token:
        return None, False
    try:
        return Cursor.parse(token), bool(request.args.get("newer"))
    except ValueError as problem:
        abort(400, str(problem))


@bp.get("/modifications")
@appointments_roles
def modifications():
    form = _valid_form()
    filters, scope, tz_name = _filters(form), current_scope(), company_tz()
    cursor, newer = _cursor()
    page = audit_page(scope, filters, tz_name, cursor, newer, per_page())
    return render_template("appointments/audit.html", form=form, page=page,
                           totals=audit_totals(scope, filters, tz_name), page_args=page_args(form))


@bp.get("/modifications.csv")
@appointments_roles
def modifications_csv():
    form = _valid_form()
    rows = export_rows(current_scope(), _filters(form), company_tz())
    stamp = to_local(utcnow(), company_tz()).strftime("%Y%m%d-%H%M")
    return csv_response(f"modifications-{stamp}.csv", CSV_COLUMNS, rows)


@bp.get("/modifications/<int:modification_id>")
@appointments_roles
def modification(modification_id):
    found = modifications_with_actor(*current_scope().where(AppointmentModification),
                                     AppointmentModification.id == modification_id, limit=1)
    if not found:
        abort(404)
    record, actor = found[0]
    appointment = appointment_or_404(record.appointment_id)  # a manager's: their branch only
    return render_template("appointments/modification.html", record=record, actor=actor,
                           appointment=appointment, rules=rules_on_record(record.meta),
                           fee_rule=said_on_record(record.meta, "fee_rule"),
                           checks=[{**check, "text": said_on_record(check, "text")}
                                   for check in record.meta.get("checks") or []])


def said_on_record(stored: dict, name: str):
    """A recorded text in the reader's language: from its message data when the record keeps it
    (`<name>_message`, or `message` beside a check's `text`), else the English text it stored."""
    data = stored.get(f"{name}_message", stored.get("message") if name == "text" else None)
    return from_message_data(data) if data is not None else stored.get(name)


def rules_on_record(meta: dict) -> list[dict]:
    """The recorded policy values in the words of the policy pages ("Hours before", "24 h")."""
    rows = []
    for name, used in (meta.get("policy") or {}).items():
        policy_type, _, key = name.partition(".")
        specs = {spec.name: spec for spec in key_specs(policy_type)} if policy_type in POLICY_TYPES else {}
        label = specs[key].label if key in specs else key
        shown = display_value(policy_type, key, used.get("value")) if key in specs else str(used.get("value"))
        level, source = used.get("level", ""), used.get("source", "")
        # "Company Demo Salons" beside a COMPANY tag says the level twice: show the name alone.
        entity = source.removeprefix(f"{level.capitalize()} ") if level and level != "default" else source
        rows.append({"label": label, "policy_type": policy_type, "shown": shown,
                     "level": level, "source": source, "entity": entity})
    return rows

"""Cancel and reschedule: a preview of the decision (GET), then the confirmation (POST)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.appointments import bp
from portal.appointments.common import appointment_or_404, appointments_roles, company_tz, decision_time
from portal.appointments.forms import ConfirmForm, RescheduleConfirmForm, parse_local
from portal.domain.clock import from_local
from portal.domain.decisions import CANCEL, RESCHEDULE
from portal.services.modifications.change import (
    Change,
    ModificationRefused,
    check_new_time,
    modify_appointment,
)
from portal.services.modifications.policy import propose
from portal.translations.labels import label
from portal.translations.runtime import translated
from portal.web.inputs import arg_choice
from portal.web.security import reauthentication_redirect, recently_authenticated
from portal.web.templating import money

TITLES = {CANCEL: _l("Cancel appointment"), RESCHEDULE: _l("Reschedule appointment")}


def _scheduled_or_409(appointment_id):
    """The appointment (404 outside the scope), if it can still be cancelled or rescheduled."""
    appointment = appointment_or_404(appointment_id)
    if appointment.status != "scheduled":
        abort(409, _("This appointment is %(status)s; only scheduled appointments can be cancelled or "
                     "rescheduled.", status=label("status", appointment.status).lower()))
    return appointment


def _preview(appointment, form, proposal, status: int = 200, new_time_error: str | None = None):
    if proposal is not None:
        form.seen.data, form.scope.data = proposal.fingerprint, proposal.decision.scope
    action = RESCHEDULE if isinstance(form, RescheduleConfirmForm) else CANCEL
    return render_template("appointments/modify.html", appointment=appointment, form=form,
                           proposal=proposal, action=action, title=TITLES[action],
                           new_time_error=new_time_error, now=decision_time()), status


@bp.route("/<int:appointment_id>/cancel", methods=["GET", "POST"])
@appointments_roles
def cancel(appointment_id):
    appointment, form = _scheduled_or_409(appointment_id), ConfirmForm()
    if request.method == "GET":
        whole_series = arg_choice("scope", ("single", "series"), "single", label=_("Scope")) == "series"
        return _preview(appointment, form, propose(appointment, CANCEL, decision_time(), whole_series))
    change = Change(CANCEL, whole_series=form.scope.data == "series")
    return _confirm(appointment, form, change)


def _typed_new_time(text: str | None):
    """(naive UTC, error) of the typed local new time."""
    local = parse_local(text)
    if local is None:
        return None, _("Enter the new date and time, e.g. 2026-05-03 14:30.")
    return from_local(local, company_tz()), None


@bp.route("/<int:appointment_id>/reschedule", methods=["GET", "POST"])
@appointments_roles
def reschedule(appointment_id):
    appointment, form = _scheduled_or_409(appointment_id), RescheduleConfirmForm()
    if request.method == "POST":
        new_starts_at, error = _typed_new_time(form.new_time.data)
        if error:
            return _preview(appointment, form, None, 400, error)
        return _confirm(appointment, form, Change(RESCHEDULE, new_starts_at=new_starts_at))
    if "new_time" not in request.args:
        return _preview(appointment, form, None)
    form.new_time.data = request.args["new_time"]
    new_starts_at, error = _typed_new_time(request.args["new_time"])
    error = error or check_new_time(appointment, new_starts_at, decision_time())
    if error:
        return _preview(appointment, form, None, 400, error)
    proposal = propose(appointment, RESCHEDULE, decision_time(), new_starts_at=new_starts_at)
    return _preview(appointment, form, proposal)


def _confirm(appointment, form, change: Change):
    """Check the form, hand it to the service, and show the outcome."""
    if form.force.data and not recently_authenticated():  # forcing is out of policy: prove it is you
        return reauthentication_redirect()
    if not form.validate():
        proposal = propose(appointment, change.action, decision_time(), change.whole_series,
                           change.new_starts_at)
        return _preview(appointment, form, proposal, 400)
    change = Change(change.action, change.whole_series, change.new_starts_at, form.reason.data or "",
                    form.force.data, form.waive_fee.data, form.waiver_reason.data or "", form.seen.data or "")
    try:
        records = modify_appointment(current_user, appointment, change, decision_time())
    except ModificationRefused as refusal:
        if "new_starts_at" in refusal.errors:
            return _preview(appointment, form, None, refusal.status, refusal.message)
        if refusal.proposal is None:
            abort(refusal.status, refusal.message)
        for name, message in refusal.errors.items():
            getattr(form, name).errors = [message]
        flash(translated(refusal.message), "error")
        return _preview(appointment, form, refusal.proposal, refusal.status)
    flash(_outcome(change, records), "success")
    return redirect(url_for("appointments.detail", appointment_id=appointment.id))


def _outcome(change: Change, records) -> str:
    fee = sum(record.fee_charged for record in records)
    notes = [_("fee charged %(fee)s", fee=money(fee)) if fee else _("no fee charged")]
    if records and not records[0].within_policy:
        notes.append(_("recorded as out of policy"))
    if records and records[0].meta.get("fee_waived"):
        notes.append(_("fee waived"))
    notes_text = ", ".join(notes)
    if change.action == CANCEL:
        if len(records) > 1:
            return _("Cancelled %(count)s appointments of the series: %(notes)s.", count=len(records),
                     notes=notes_text)
        return _("Cancelled: %(notes)s.", notes=notes_text)
    if len(records) > 1:
        return _("Rescheduled %(count)s appointments of the series: %(notes)s.", count=len(records),
                 notes=notes_text)
    return _("Rescheduled: %(notes)s.", notes=notes_text)

"""The actions on a callback: each a CSRF-protected POST, refused on the server unless allowed."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.callbacks import bp
from portal.callbacks.forms import read_bulk_selection, read_queue_filter
from portal.callbacks.presenters import filter_args
from portal.callbacks.routes import render_detail, render_queue
from portal.models import CallbackRequest, utcnow
from portal.services.callbacks import actions as act
from portal.services.callbacks.access import staff_in_scope
from portal.translations.runtime import translated
from portal.web.inputs import form_version
from portal.web.scope import get_or_404
from portal.web.security import roles_required


def _from_queue() -> bool:
    """The action was taken on a queue row: answer there, with the queue's filters kept."""
    return request.form.get("from") == "queue"


def _queue_args() -> dict:
    """The queue's filters, read as the queue reads them — before anything changes (a bad one is a
    400) and so that only its own keys reach url_for (never a request's _external or _anchor)."""
    return filter_args(read_queue_filter(request.args))


def _answer(callback, outcome, queue_args: dict | None = None):
    if outcome.status == 404:
        abort(404)
    flash(translated(outcome.message), "success" if outcome.ok else "error")
    if outcome.ok and queue_args is not None:
        return redirect(url_for(".queue", **queue_args, _anchor=f"callback-{callback.id}"))
    if outcome.ok:
        return redirect(url_for(".detail", callback_id=callback.id))
    if queue_args is not None:
        return render_queue(outcome.status)
    return render_detail(callback, outcome.status)


def _run(callback_id, perform, **inputs):
    """Load the callback in the user's scope (404 otherwise), check the form's version, act."""
    callback = get_or_404(CallbackRequest, callback_id)
    version = form_version()
    queue_args = _queue_args() if _from_queue() else None
    return _answer(callback, perform(current_user, callback, version, utcnow(), **inputs), queue_args)


# Each action: (the service's use case, the form fields it takes, by the use case's own names).
ACTIONS = {
    "claim": (act.claim, {}),
    "assign": (act.assign, {"staff_id": "staff_id"}),
    "unassign": (act.unassign, {}),
    "attempt": (act.record_attempt, {"note": "note"}),
    "contacted": (act.mark_contacted, {"note": "note"}),
    "complete": (act.complete, {"note": "note", "callback_time": "callback_time"}),
    "cancel": (act.cancel, {"reason": "reason"}),
    "escalate": (act.escalate, {"note": "note", "staff_id": "staff_id"}),
}


def _action_view(perform, fields: dict[str, str]):
    def view(callback_id):
        return _run(callback_id, perform, **{name: request.form.get(field) for name, field in fields.items()})
    return login_required(view)


for _name, (_perform, _fields) in ACTIONS.items():
    bp.add_url_rule(f"/<int:callback_id>/{_name}", _name, _action_view(_perform, _fields), methods=["POST"])


@bp.post("/<int:callback_id>/escalations/<int:escalation_id>/resolve")
@login_required
def resolve(callback_id, escalation_id):
    callback = get_or_404(CallbackRequest, callback_id)
    outcome = act.resolve(current_user, callback, escalation_id, utcnow(), request.form.get("notes"))
    return _answer(callback, outcome)


@bp.post("/next")
@login_required
def next_callback():
    """Claim the top of my queue in one click (race-safe: see services.callbacks.actions.claim_next)."""
    queue_args = _queue_args()
    callback, outcome = act.claim_next(current_user, utcnow())
    if callback is None and outcome.status != 200:
        flash(translated(outcome.message), "error")
        return render_queue(outcome.status)
    flash(translated(outcome.message), "success" if callback else "info")
    if callback is None:
        return redirect(url_for(".queue", **queue_args))
    return redirect(url_for(".detail", callback_id=callback.id))


@bp.post("/bulk-assign")
@roles_required("admin", "branch_manager")
def bulk_assign():
    """Assign the ticked callbacks of the queue to one staff member; says which could not be."""
    queue_args = _queue_args()
    selection = read_bulk_selection(request.form)
    if selection is None:
        abort(400, _("The selection was damaged; reload the queue and try again."))
    if not selection or staff_in_scope(current_user, request.form.get("staff_id")) is None:
        flash(_("Tick the callbacks to assign and choose who gets them."), "error")
        return render_queue(400)
    assigned, refused = act.bulk_assign(current_user, selection, request.form.get("staff_id"), utcnow())
    if assigned:
        flash(ngettext("Assigned %(num)s callback.", "Assigned %(num)s callbacks.", assigned), "success")
    for callback_id, message in refused:
        flash(f"#{callback_id}: {translated(message)}", "error")
    return redirect(url_for(".queue", **queue_args))

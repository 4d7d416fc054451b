"""The actions on a callback: each a CSRF-protected POST, refused on the server unless allowed."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..models import utcnow
from ..security import roles_required
from ..services import callbacks_actions as act
from ..services.callbacks_access import get_callback, staff_in_scope
from . import bp
from .forms import read_bulk_selection, read_version
from .routes import render_detail, render_queue


def _answer(callback, outcome):
    if outcome.status == 404:
        abort(404)
    flash(outcome.message, "success" if outcome.ok else "error")
    if outcome.ok:
        return redirect(url_for(".detail", callback_id=callback.id))
    return render_detail(callback, outcome.status)


def _run(callback_id, run):
    """Load the callback in the user's scope (404 otherwise), check the form's version, act."""
    callback = get_callback(current_user, callback_id)
    version = read_version(request.form)
    if version is None:
        abort(400, "The form is missing the callback's version; reload the page and try again.")
    return _answer(callback, run(callback, version, request.form, utcnow()))


@bp.post("/<int:callback_id>/claim")
@login_required
def claim(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.claim(current_user, cb, v, now))


@bp.post("/<int:callback_id>/assign")
@login_required
def assign(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.assign(current_user, cb, v, form.get("staff_id"), now))


@bp.post("/<int:callback_id>/unassign")
@login_required
def unassign(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.unassign(current_user, cb, v, now))


@bp.post("/<int:callback_id>/attempt")
@login_required
def attempt(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.record_attempt(current_user, cb, v, form.get("note"), now))


@bp.post("/<int:callback_id>/contacted")
@login_required
def contacted(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.mark_contacted(current_user, cb, v, form.get("note"), now))


@bp.post("/<int:callback_id>/complete")
@login_required
def complete(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.complete(current_user, cb, v, form.get("note"), now))


@bp.post("/<int:callback_id>/cancel")
@login_required
def cancel(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.cancel(current_user, cb, v, form.get("reason"), now))


@bp.post("/<int:callback_id>/escalate")
@login_required
def escalate(callback_id):
    return _run(callback_id, lambda cb, v, form, now: act.escalate(
        current_user, cb, v, form.get("note"), form.get("staff_id"), now))


@bp.post("/<int:callback_id>/escalations/<int:escalation_id>/resolve")
@login_required
def resolve(callback_id, escalation_id):
    callback = get_callback(current_user, callback_id)
    return _answer(callback, act.resolve(current_user, callback, escalation_id, request.form.get("notes"), utcnow()))


@bp.post("/bulk-assign")
@roles_required("admin", "branch_manager")
def bulk_assign():
    """Assign the ticked callbacks of the queue to one staff member; says which could not be."""
    selection = read_bulk_selection(request.form)
    if selection is None:
        abort(400, "The selection was damaged; reload the queue and try again.")
    if not selection or staff_in_scope(current_user, request.form.get("staff_id")) is None:
        flash("Tick the callbacks to assign and choose who gets them.", "error")
        return render_queue(400)
    assigned, refused = act.bulk_assign(current_user, selection, request.form.get("staff_id"), utcnow())
    if assigned:
        flash(f"Assigned {assigned} callback{'s' if assigned != 1 else ''}.", "success")
    for callback_id, message in refused:
        flash(f"#{callback_id}: {message}", "error")
    return redirect(url_for(".queue", **request.args))

"""The queue, its CSV export, the new-callback form and the detail page (actions: actions.py)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.callbacks import bp
from portal.callbacks.forms import NewCallbackForm, read_queue_filter
from portal.callbacks.presenters import (
    TAB_LABELS,
    branch_choices,
    company_choices,
    detail_actions,
    grouped_choices,
    phone_display,
    queue_view,
    staff_groups,
)
from portal.domain.callbacks import attempts_left, deadline_badge
from portal.domain.clock import to_local
from portal.domain.parsing import parse_id
from portal.extensions import db
from portal.models import Branch, CallbackEscalation, CallbackRequest, Service, utcnow
from portal.services.callbacks.export import HEADER, export_rows
from portal.services.callbacks.intake import create_or_merge, parse_intake
from portal.services.callbacks.policy import PolicyBook
from portal.services.callbacks.queue import Key
from portal.services.callbacks.timeline import REASON_LABELS, timeline
from portal.services.delivery.read import event_labels, section
from portal.web.csv import csv_response
from portal.web.inputs import arg_page
from portal.web.scope import current_scope, get_or_404

bp.add_app_template_filter(phone_display, "phone")


def _queue_filter():
    return read_queue_filter(request.args)


def _cursor() -> tuple[Key | None, bool]:
    token = request.args.get("before") or request.args.get("after")
    if not token:
        return None, False
    try:
        return Key.parse(token), bool(request.args.get("before"))
    except ValueError as problem:
        abort(400, str(problem))


def render_queue(status: int = 200):
    """The queue for the filters and page in the query string (also after a refused bulk assign)."""
    start, backwards = _cursor()
    now = utcnow()
    # the user itself, not the proxy: the view asks for its role and staff id on every row
    view = queue_view(current_user._get_current_object(), _queue_filter(), start, backwards, arg_page(), now)
    return render_template("callbacks/queue.html", view=view, tab_labels=TAB_LABELS,
                           reason_labels=REASON_LABELS, now=now), status


@bp.get("/")
@login_required
def queue():
    return render_queue()


@bp.get("/export.csv")
@login_required
def export():
    now = utcnow()
    rows = export_rows(current_scope(), current_user.company.default_region, _queue_filter(), now)
    stamp = to_local(now, current_user.company.timezone or "UTC")  # the name says local time, like the page
    return csv_response(f"callbacks-{stamp:%Y%m%d-%H%M}.csv", HEADER, rows)


def _new_form() -> NewCallbackForm:
    form = NewCallbackForm()
    form.branch_id.choices = branch_choices(current_user)
    form.service_id.choices = company_choices(current_user, Service, _("— none —"))
    if request.method == "GET" and current_scope().limited:
        form.branch_id.data = str(current_scope().branch_id)
    groups = staff_groups(current_user, _picked_branch(form), parse_id(form.staff_id.data))
    form.staff_id.choices = grouped_choices(groups, _("— no preference —"))
    return form


def _picked_branch(form: NewCallbackForm) -> int | None:
    """The branch whose staff the preferred-staff picker lists: the one chosen, or before a
    choice the first one offered (the one the browser shows selected)."""
    offered = [int(choice.value) for choice in form.branch_id.choices]
    chosen = parse_id(form.branch_id.data)
    return chosen if chosen in offered else next(iter(offered), None)


@bp.get("/new/staff")
@login_required
def new_staff_options():
    """The preferred-staff options for another branch of the new-callback form
    (static/js/callback-form.js swaps them in when the branch changes)."""
    branch = get_or_404(Branch, request.args.get("branch"), Branch.is_active.is_(True))
    return render_template("callbacks/_staff_options.html", groups=staff_groups(current_user, branch.id),
                           blank=_("— no preference —"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = _new_form()
    if request.method == "GET":
        return render_template("callbacks/new.html", form=form)
    form.validate()  # binds the values; the rules are parse_intake's (CSRF is checked globally)
    intake, errors = parse_intake(current_user.company, form.intake_values(), current_scope())
    if intake is None:  # exactly when there are errors
        form.show_errors(errors)
        flash(_("Nothing was saved: correct the highlighted fields."), "error")
        return render_template("callbacks/new.html", form=form), 400
    stored = create_or_merge(current_user.company_id, intake, current_user, "agent form", utcnow())
    flash(_("This phone number already had an open request from the last 30 minutes: your note was "
            "added to it.") if stored.merged else _("Callback request created."), "success")
    return redirect(url_for(".detail", callback_id=stored.callback_id))


def render_detail(callback, status: int = 200):
    """The detail page of a callback (also the answer to a refused action, with its status)."""
    now = utcnow()
    policy = PolicyBook(current_user.company_id).for_callback(callback)
    escalations = db.session.scalars(current_scope().select(
        CallbackEscalation, CallbackEscalation.callback_request_id == callback.id,
    ).order_by(CallbackEscalation.escalated_at)).all()
    open_reasons = {e.escalation_reason for e in escalations if e.is_open}
    return render_template(
        "callbacks/detail.html", callback=callback, policy=policy, now=now,
        badge=deadline_badge(callback.status, callback.expires_at, now, policy.due_soon_minutes,
                             callback.completed_at),
        timeline=timeline(callback), escalations=escalations, reason_labels=REASON_LABELS,
        actions=detail_actions(current_user, callback, open_reasons),
        attempts_left=attempts_left(callback.contact_attempts, policy),
        staff=staff_groups(current_user, callback.branch_id, callback.assigned_to),
        deliveries=section(current_scope(), callback_id=callback.id)
        if current_user.role in ("admin", "branch_manager") else None,
        delivery_labels=event_labels(),
    ), status


@bp.get("/<int:callback_id>")
@login_required
def detail(callback_id):
    return render_detail(get_or_404(CallbackRequest, callback_id))

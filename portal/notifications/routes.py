"""Notifications: the event catalog, each node's matrix, the cell editor, the delivery plan."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.cache import cached
from portal.domain.clock import to_local
from portal.domain.notification_plan import (
    delivery_plan,
    fires_at,
    sample_appointment_start,
    sample_variables,
    timing_text,
)
from portal.domain.notifications import CHANNEL_LABELS, CHANNELS
from portal.models import utcnow
from portal.notifications import bp
from portal.notifications.forms import CellInput, read_cell_form
from portal.notifications.matrix_view import matrix_rows
from portal.notifications.presenters import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    bulk_choices,
    cell_view,
    channel_summaries,
    crumbs,
    editor_rows,
    fallback_choices,
    nav_tree,
    plan_stops,
)
from portal.services.notifications.read import (
    check_channel,
    check_event,
    load_events,
    node_hierarchy,
    node_matrix,
    node_outline,
    recent_changes,
)
from portal.services.notifications.write import Outcome, can_change, reset_cell, save_cell
from portal.services.policies.read import node_ref
from portal.translations.runtime import translated
from portal.web.i18n import current_language
from portal.web.inputs import arg_choice, arg_id, arg_text, form_version
from portal.web.templating import Once, company_tz, local_time


@bp.app_template_global("notification_url")
def notification_url(endpoint: str, ref, **args) -> str:
    """URL of a node's page (matrix, cell, plan), keeping the tree position it was opened from."""
    return url_for(endpoint, level=ref.level, entity_id=ref.entity_id, **dict(ref.context), **args)


@bp.get("/")
@login_required
def catalog():
    lang = arg_choice("lang", ("en", "de"), "en", label=_("Language"))
    events = load_events()
    return render_template("notifications/catalog.html", events=events, lang=lang,
                           categories=list(dict.fromkeys(event.category for event in events)),
                           category_labels=CATEGORY_LABELS, channel_labels=CHANNEL_LABELS,
                           timing_text=timing_text,
                           hierarchy=node_hierarchy(current_user.company_id))


def requested_node(level, entity_id):
    return node_ref(current_user.company_id, level, entity_id,
                    branch_id=arg_id("branch"), service_id=arg_id("service"))


def _page_context(ref, matrix):
    """What every node page shows around its body; `matrix` is the NodeMatrix or NodeOutline."""
    return {"node": ref, "matrix": matrix, "level_labels": LEVEL_LABELS,
            "editable": can_change(current_user), "crumbs": crumbs(ref, matrix.names),
            "nav": nav_tree(node_hierarchy(current_user.company_id, ref, _show_inactive()), ref),
            "show_inactive": _show_inactive(), "inactive_toggle_url": _inactive_toggle_url(),
            "node_link": node_link_prefix()}


def node_link_prefix() -> str:
    """The start of every node page's URL ("/notifications/"): the navigation appends `level/id`
    and the tree position (NavItem.link_args), one url_for a page instead of one a link."""
    return url_for("notifications.node", level="company", entity_id=0).removesuffix("company/0")


def _show_inactive() -> bool:
    """"Show inactive" in the hierarchy: deactivated nodes, marked."""
    return request.args.get("inactive") == "1"


def _inactive_toggle_url() -> str:
    """This page with "show inactive" switched the other way."""
    args: dict = {key: value for key, value in request.args.items() if key != "inactive"}
    if not _show_inactive():
        args["inactive"] = "1"
    return url_for(request.endpoint or ".catalog", **{**(request.view_args or {}), **args})


@bp.get("/<level>/<int:entity_id>")
@login_required
def node(level, entity_id):
    ref = requested_node(level, entity_id)
    outline = node_outline(current_user.company_id, ref)
    event_choices, channel_choices = bulk_choices(outline.events)
    return render_template("notifications/node.html", matrix_table=matrix_table(ref),
                           changes=recent_changes(current_user.company_id, ref),
                           channel_labels=CHANNEL_LABELS,
                           bulk_link=notification_url("notifications.bulk", ref),
                           event_choices=event_choices, channel_choices=channel_choices,
                           **_page_context(ref, outline))


def matrix_table(ref) -> Markup:
    """The node's matrix as HTML: the same for every reader of one language who may (or may not)
    edit, so it is cached under the config generation like the matrix itself (52 cells of five
    values each are most of the page's cost; reading the matrix back, most of the rest)."""
    editable = can_change(current_user)

    def render() -> str:
        matrix = node_matrix(current_user.company_id, ref)
        return render_template(
            "notifications/_matrix.html", node=ref, editable=editable,
            groups=matrix_rows(matrix, ref.level, ref.entity_id), channels=CHANNELS,
            channel_labels=CHANNEL_LABELS, bulk_link=notification_url("notifications.bulk", ref),
            cell_link=link_pattern("notifications.cell", ref, event_type=EVENT, channel=CHANNEL),
            plan_link=link_pattern("notifications.plan", ref, event_type=EVENT), once=Once())

    path = "/".join(f"{level}:{ident}" for level, ident in (*ref.path, *ref.context))
    name = f"notifications:matrix-html:{current_language()}:{'edit' if editable else 'view'}:{path}"
    return Markup(cached(current_user.company_id, name, str, render, in_process=True))


EVENT, CHANNEL = "__event__", "__channel__"


def link_pattern(endpoint: str, ref, **placeholders) -> tuple[str, str, str]:
    """One url_for for a whole matrix: (before, between, after) around the event type and the
    channel, so the template builds 52 cell links by joining strings (event types and channels
    are plain [a-z0-9_] names, safe in a path as they are)."""
    url = notification_url(endpoint, ref, **placeholders)
    before, _, rest = url.partition(EVENT)
    between, _, after = rest.partition(CHANNEL) if CHANNEL in rest else ("", "", rest)
    return before, between, after


def _render_cell(ref, event, channel, entry, status=200, **extra):
    matrix = node_matrix(current_user.company_id, ref)
    cell, own = matrix.cells[(event.event_type, channel)], matrix.own.get((event.event_type, channel))
    entry = entry or CellInput(version=own.version if own else 0, lock=bool(own and own.locked))
    rows = editor_rows(cell, own, ref.level, ref.entity_id, entry)
    known = {row.key for row in rows} | {"version", "locked"}
    return render_template(
        "notifications/cell.html", event=event, channel=channel, channel_label=CHANNEL_LABELS[channel],
        view=cell_view(matrix, event.event_type, channel, ref.level, ref.entity_id), own=own, entry=entry,
        rows=rows, fallback_choices=fallback_choices(channel),
        other_errors={key: message for key, message in entry.errors.items() if key not in known},
        **_page_context(ref, matrix), **extra), status


@bp.route("/<level>/<int:entity_id>/cell/<event_type>/<channel>", methods=["GET", "POST"])
@login_required
def cell(level, entity_id, event_type, channel):
    ref = requested_node(level, entity_id)
    check_channel(channel)
    event = check_event(load_events(), event_type)
    if request.method == "GET":
        return _render_cell(ref, event, channel, None)
    if not can_change(current_user):
        abort(403)
    action = arg_choice("action", ("save", "reset_cell", "reset_key"), "save", source=request.form,
                        label=_("Action"))
    entry, outcome = _apply(ref, event_type, channel, action)
    if outcome.conflict:
        flash(_("Not saved: someone else changed this channel after you opened it."), "error")
        return _render_cell(ref, event, channel, entry, 409, conflict=outcome.conflict)
    if outcome.errors:
        entry.errors.update(outcome.errors)
        flash(_("Nothing was saved: correct the highlighted settings."), "error")
        return _render_cell(ref, event, channel, entry, 400)
    what = {"event": translated(event.label), "channel": translated(CHANNEL_LABELS[channel]),
            "name": ref.name}
    flash(_("Saved: %(event)s by %(channel)s at %(name)s.", **what) if action == "save" else
          _("Reset: %(event)s by %(channel)s at %(name)s.", **what), "success")
    return redirect(notification_url("notifications.node", ref, _anchor=f"cell-{event_type}-{channel}"))


def _apply(ref, event_type, channel, action) -> tuple[CellInput, Outcome]:
    """Save or reset as the form asks: (what was sent, outcome)."""
    if action in ("reset_cell", "reset_key"):
        version = form_version()
        key = arg_text("key", 100, source=request.form, label=_("Setting")) if action == "reset_key" else None
        return CellInput(version=version), reset_cell(current_user, ref, event_type, channel, version, key)
    entry = read_cell_form(ref.level, request.form)
    if entry.errors:
        return entry, Outcome(errors=entry.errors)
    return entry, save_cell(current_user, ref, event_type, channel, entry.raw, entry.lock, entry.version)


@bp.get("/<level>/<int:entity_id>/plan/<event_type>")
@login_required
def plan(level, entity_id, event_type):
    ref = requested_node(level, entity_id)
    matrix = node_matrix(current_user.company_id, ref)
    event = check_event(matrix.events, event_type)
    now = utcnow()
    appointment = sample_appointment_start(now)
    cells = matrix.cells_of(event_type)
    fires = fires_at(event, appointment, now)
    attempts = delivery_plan(event, cells, fires)
    names = {f"{lvl}_name": matrix.names[(lvl, ident)] for lvl, ident in ref.path
             if lvl != "company" and matrix.names.get((lvl, ident))}
    return render_template(
        "notifications/plan.html", event=event, appointment=appointment, fires=fires,
        timing=timing_text(event), stops=plan_stops(attempts, cells),
        summaries=channel_summaries(attempts, cells),
        silent=[cell_view(matrix, event_type, channel, ref.level, ref.entity_id)
                for channel in CHANNELS if not cells[channel].enabled],
        # The sample message reads like a real one: the appointment in the company's zone.
        # in the page's language, the time as the line "Sample appointment" above shows it
        variables=sample_variables(event, to_local(appointment, company_tz()), names, current_language(),
                                   lambda _local: local_time(appointment, "%a %d %b %Y, %H:%M")),
        **_page_context(ref, matrix))


from portal.notifications import bulk  # noqa: E402,F401  (the matrix's bulk changes)

"""Bulk changes of a node's matrix: switch a row, a column or a category on, off or back to
inherited. A GET shows the preview (the cells that change, before → after); the confirmation
POSTs what the preview showed, and the service applies it all or nothing."""
from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.notifications import bp
from portal.notifications.forms import read_bulk_selection, read_seen_cells
from portal.notifications.presenters import LEVEL_LABELS, bulk_choices, bulk_preview, crumbs
from portal.notifications.routes import notification_url, requested_node
from portal.services.notifications.read import node_matrix
from portal.services.notifications.write import PlannedCell, bulk_change, can_change
from portal.web.security import roles_required


def _selection(values, matrix):
    selection, problem = read_bulk_selection(values, matrix.events,
                                             {event.category for event in matrix.events})
    if problem:
        abort(400, problem)
    return selection


def _render(ref, matrix, selection, status=200, errors=None):
    rows = bulk_preview(matrix, ref.level, selection)
    event_choices, channel_choices = bulk_choices(matrix.events)
    return render_template("notifications/bulk.html", node=ref, selection=selection, rows=rows,
                           applicable=[row for row in rows if not row.change.refusal],
                           event_choices=event_choices, channel_choices=channel_choices,
                           crumbs=crumbs(ref, matrix.names), level_labels=LEVEL_LABELS,
                           editable=can_change(current_user), errors=errors or {}), status


@bp.get("/<level>/<int:entity_id>/bulk")
@roles_required("admin")
def bulk(level, entity_id):
    ref = requested_node(level, entity_id)
    matrix = node_matrix(current_user.company_id, ref)
    return _render(ref, matrix, _selection(request.args, matrix))


@bp.post("/<level>/<int:entity_id>/bulk")
@roles_required("admin")
def bulk_apply(level, entity_id):
    ref = requested_node(level, entity_id)
    matrix = node_matrix(current_user.company_id, ref)
    selection = _selection(request.form, matrix)
    seen = read_seen_cells(request.form)
    if seen is None:
        abort(400, _("The confirmation was damaged; preview the change again."))
    planned = [PlannedCell(row.change.event_type, row.change.channel, row.version, row.change.settings)
               for row in bulk_preview(matrix, ref.level, selection) if not row.change.refusal]
    outcome = bulk_change(current_user, ref, planned, seen)
    if outcome.conflict:
        flash(_("Nothing was changed: some of these cells changed since the preview. Check the new preview."),
              "error")
        return _render(ref, node_matrix(current_user.company_id, ref), selection, 409)
    if outcome.errors:
        flash(_("Nothing was changed: some cells refuse this change."), "error")
        return _render(ref, matrix, selection, 400, outcome.errors)
    flash(ngettext("Changed %(num)s cell at %(name)s.", "Changed %(num)s cells at %(name)s.", len(planned),
                   name=ref.name), "success")
    return redirect(notification_url("notifications.node", ref))

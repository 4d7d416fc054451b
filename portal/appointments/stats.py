"""The rolling-count report (filled by `flask stats refresh`, portal/cli.py)."""
from flask import render_template
from flask_babel import gettext as _

from portal.appointments import bp
from portal.appointments.common import appointments_roles
from portal.services.modifications.stats import (
    last_refreshed,
    stat_totals,
    top_customers,
)
from portal.web.inputs import arg_choice
from portal.web.scope import current_scope

RANKINGS = {"cancel_30d": "cancellations in the last 30 days",
            "cancel_90d": "cancellations in the last 90 days"}


@bp.get("/stats")
@appointments_roles
def stats_report():
    rank_by = arg_choice("rank", tuple(RANKINGS), "cancel_30d", label=_("Rank by"))
    scope = current_scope()
    return render_template("appointments/stats.html", rank_by=rank_by, rankings=RANKINGS,
                           customers=top_customers(scope, rank_by),
                           totals=stat_totals(scope),
                           refreshed_at=last_refreshed(scope.company_id))

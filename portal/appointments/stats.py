"""The rolling-count report and `flask stats refresh`, which fills it."""
import click
from flask import render_template, request

from ..models import utcnow
from ..services.appointments_read import customer_criteria
from ..services.modifications_stats import (
    BATCH_SIZE, last_refreshed, refresh_stats, stat_totals, top_customers,
)
from . import bp
from .common import appointments_roles, user_scope

RANKINGS = {"cancel_30d": "cancellations in the last 30 days",
            "cancel_90d": "cancellations in the last 90 days"}


@bp.get("/stats")
@appointments_roles
def stats_report():
    rank_by = request.args.get("rank", "cancel_30d")
    if rank_by not in RANKINGS:
        rank_by = "cancel_30d"
    scope = user_scope()
    criteria = customer_criteria(scope)
    return render_template("appointments/stats.html", rank_by=rank_by, rankings=RANKINGS,
                           customers=top_customers(criteria, scope.company_id, rank_by),
                           totals=stat_totals(criteria, scope.company_id),
                           refreshed_at=last_refreshed(scope.company_id))


@bp.cli.command("refresh")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1, 100_000),
              help="Customers counted and replaced per transaction.")
def refresh_command(batch_size: int) -> None:
    """Recount cancellations and reschedules (30 and 90 days) of every customer (idempotent)."""
    summary = refresh_stats(utcnow(), batch_size)
    click.echo(f"Refreshed {summary.rows} statistics of {summary.customers} customers in "
               f"{summary.companies} companies in {summary.seconds:.1f} s.")

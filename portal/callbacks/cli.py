"""`flask callbacks sweep`: run from cron on any number of machines (see README)."""
import click

from ..models import utcnow
from ..services.callbacks_sweep import sweep
from . import bp


@bp.cli.command("sweep")
def sweep_command() -> None:
    """Escalate overdue callbacks (sla_breach) and expire stale ones; idempotent, safe concurrently."""
    now = utcnow()
    report = sweep(now)
    for line in report.lines:
        click.echo(line)
    click.echo(report.summary(now))

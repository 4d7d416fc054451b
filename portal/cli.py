"""Every flask command, registered from one place: seed, companies, users, portal, callbacks, stats,
notifications, api."""
import sys
import time
from datetime import timedelta

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from portal.demo.activity import DEMO_PASSWORD
from portal.demo.seed import DEMO_LOGINS, seed_demo
from portal.domain.organisation import LANGUAGES
from portal.domain.passwords import password_problems
from portal.extensions import db
from portal.models import ROLES, Company, utcnow
from portal.services.callbacks.sweep import sweep
from portal.services.checks import run_checks
from portal.services.delivery import jobs
from portal.services.delivery.dispatch import dispatch_due
from portal.services.delivery.reminders import plan_reminders
from portal.services.integration import idempotency
from portal.services.modifications.stats import BATCH_SIZE, refresh_stats
from portal.services.organisation.company import create_company
from portal.services.organisation.users import create_user

seed_cli = AppGroup("seed", help="Load demo data.")
companies_cli = AppGroup("companies", help="Start companies.")
users_cli = AppGroup("users", help="Manage sign-in accounts.")
portal_cli = AppGroup("portal", help="Operate the portal.")
callbacks_cli = AppGroup("callbacks", help="Work the callback queue from cron.")
stats_cli = AppGroup("stats", help="Reporting statistics.")
notifications_cli = AppGroup("notifications", help="Deliver notifications: dispatcher, scheduler, workers.")
api_cli = AppGroup("api", help="Maintain the integration API's records.")


@seed_cli.command("demo")
@click.option("--force", is_flag=True, help="Allow seeding under the production config.")
@click.option("--demo-passwords", is_flag=True,
              help="With --force under the production config: accept accounts whose password is published.")
def seed_demo_command(force: bool, demo_passwords: bool) -> None:
    """Create the deterministic demo company and its users (idempotent)."""
    if current_app.config["ENV_NAME"] == "production":
        if not (force and demo_passwords):
            raise click.ClickException(
                "Refusing to load demo data under the production config: its accounts have a published "
                "password. Pass --force --demo-passwords only on a machine nobody else can reach.")
        click.echo(f"WARNING: creating accounts with the published password {DEMO_PASSWORD!r} under the "
                   "production config. Anyone who reads the README can sign in with them; delete them "
                   "before this portal is reachable.", err=True)
    company, created = seed_demo()
    click.echo(("Created" if created else "Already present:") + f" demo company {company.name!r}")
    for email, _, label in DEMO_LOGINS:
        click.echo(f"  {label:<32} {email} / {DEMO_PASSWORD}")


def link_url(token: str) -> str:
    """The one-time link as people open it: under PORTAL_URL, the portal's public address."""
    with current_app.test_request_context(base_url=current_app.config["PORTAL_URL"]):
        return url_for("organisation.set_password", token=token, _external=True)


def read_password_stdin() -> str:
    """One line from standard input: a script's password never shows in `ps` or shell history."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("--password-stdin: no password on standard input.")
    return password


def fail_with(errors: dict) -> None:
    raise click.ClickException(" ".join(errors.values()))


@companies_cli.command("create")
@click.option("--name", required=True, help="The company's name, as people see it.")
@click.option("--slug", required=True, help="Short unique name: lower-case letters, digits and dashes.")
@click.option("--timezone", default="Europe/Berlin", show_default=True)
@click.option("--region", "default_region", default="DE", show_default=True,
              help="Phone numbers without a country code are read as this country's.")
@click.option("--language", "default_language", type=click.Choice(LANGUAGES), default="de", show_default=True)
@click.option("--admin-email", required=True, help="The first admin's email; they sign in with it.")
@click.option("--admin-name", required=True)
def create_company_command(name, slug, timezone, default_region, default_language, admin_email, admin_name):
    """Start a company from nothing: the company and its first admin, who sets a password through
    a one-time link printed once (valid 24 h, works once; never stored in plain text)."""
    settings = {"name": name, "slug": slug, "timezone": timezone, "default_region": default_region,
                "default_language": default_language}
    result = create_company(settings, {"email": admin_email, "name": admin_name}, utcnow())
    if result.errors or result.company is None or result.admin is None:
        fail_with(result.errors)
        return
    company, admin = result.company, result.admin.entity
    click.echo(f"Created {company.name} ({company.slug}) with the admin {admin.email}.")
    click.echo("They set their password with this link (works once, for 24 hours; shown only now):")
    click.echo(f"  {link_url(result.admin.token or '')}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--company", "company_slug", required=True, help="Company slug.")
@click.option("--branch", "branch_id", type=int, help="Branch id (managers; optional for agents).")
@click.option("--staff", "staff_id", type=int, help="Staff id (agents).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (scripts) instead of printing a one-time link.")
def create_user_command(email, name, role, company_slug, branch_id, staff_id, password_stdin) -> None:
    """Create a sign-in account; they set a password through the one-time link printed once."""
    company = db.session.scalar(select(Company).where(Company.slug == company_slug))
    if company is None:
        raise click.ClickException(f"No company with slug {company_slug!r}.")
    password = read_password_stdin() if password_stdin else None
    if password is not None and (problems := password_problems(password, email=email, name=name)):
        raise click.ClickException(" ".join(problems))
    outcome = create_user(None, company.id, {"email": email, "name": name, "role": role,
                                             "branch_id": branch_id, "staff_id": staff_id},
                          utcnow(), password)
    if not outcome.ok:
        fail_with(outcome.errors)
    click.echo(f"Created {role} {outcome.entity.email} in {company.name}.")
    if outcome.token:
        click.echo("They set their password with this link (works once, for 24 hours; shown only now):")
        click.echo(f"  {link_url(outcome.token)}")


@portal_cli.command("check")
def check_command() -> None:
    """Post-deployment validation; exits non-zero when any check fails."""
    results = run_checks()
    for result in results:
        click.echo(f"{'OK  ' if result.ok else 'FAIL'} {result.name}: {result.detail}")
    if not all(result.ok for result in results):
        sys.exit(1)


@callbacks_cli.command("sweep")
def sweep_command() -> None:
    """Escalate overdue callbacks (sla_breach) and expire stale ones; idempotent, safe concurrently."""
    now = utcnow()
    report = sweep(now)
    for line in report.lines:
        click.echo(line)
    click.echo(report.summary(now))


@stats_cli.command("refresh")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1, 100_000),
              help="Customers counted and replaced per transaction.")
def refresh_command(batch_size: int) -> None:
    """Recount cancellations and reschedules (30 and 90 days) of every customer (idempotent)."""
    summary = refresh_stats(utcnow(), batch_size)
    click.echo(f"Refreshed {summary.rows} statistics of {summary.customers} customers in "
               f"{summary.companies} companies in {summary.seconds:.1f} s.")


@notifications_cli.command("dispatch")
@click.option("--loop", is_flag=True, help="Keep running: deliver what is due every --interval seconds.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.2, 3600))
def dispatch_command(loop: bool, interval: float) -> None:
    """Make every delivery attempt that is due, in this process (no Redis needed). Safe to run
    on several machines at once: each attempt is claimed in the database."""
    if not loop:
        click.echo(f"Made {dispatch_due()} delivery attempt(s).")
        return
    click.echo(f"Delivering every {interval:g} s, planning reminders every {REMINDER_PLANNING_SECONDS // 60} "
               "minutes (Ctrl+C stops).")
    planned_at: list[float] = []

    def step() -> None:
        if not planned_at or time.monotonic() - planned_at[-1] >= REMINDER_PLANNING_SECONDS:
            plan_all_reminders()
            planned_at.append(time.monotonic())
        dispatch_due()

    jobs.every(interval, step)


REMINDER_PLANNING_SECONDS = 600


def plan_all_reminders() -> int:
    return sum(plan_reminders(company_id)
               for company_id in db.session.scalars(select(Company.id).order_by(Company.id)).all())


@notifications_cli.command("plan-reminders")
def plan_reminders_command() -> None:
    """Plan the missing reminders of every company's upcoming appointments (idempotent)."""
    for company_id in db.session.scalars(select(Company.id).order_by(Company.id)).all():
        click.echo(f"Company {company_id}: planned {plan_reminders(company_id)} reminder(s).")


@notifications_cli.command("schedule")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.2, 3600),
              help="Seconds between looks for due attempts.")
@click.option("--once", is_flag=True, help="Put what is due on the queue once and stop.")
def schedule_command(interval: float, once: bool) -> None:
    """With REDIS_URL: put due attempts on the RQ queue for `flask notifications worker`."""
    if once:
        click.echo(f"Queued {jobs.enqueue_due()} attempt(s).")
        return
    click.echo(f"Queueing due attempts every {interval:g} s (Ctrl+C stops).")
    jobs.every(interval, jobs.enqueue_due)


@notifications_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """With REDIS_URL: an RQ worker making the queued attempts (run any number, anywhere)."""
    jobs.run_worker(burst=burst)


@api_cli.command("forget-keys")
@click.option("--hours", default=int(idempotency.KEEP.total_seconds() // 3600), show_default=True,
              type=click.IntRange(1, 24 * 365), help="Keep the answers of this many hours.")
def forget_keys_command(hours: int) -> None:
    """Delete Idempotency-Key answers older than --hours (a retry after that is a new request)."""
    click.echo(f"Forgot {idempotency.forget_old_keys(utcnow(), timedelta(hours=hours))} Idempotency-Key(s).")


def register(app) -> None:
    for group in (seed_cli, companies_cli, users_cli, portal_cli, callbacks_cli, stats_cli,
                  notifications_cli, api_cli):
        app.cli.add_command(group)

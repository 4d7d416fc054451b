"""Every flask command, registered from one place: seed, users, portal, callbacks, stats."""
import sys
from typing import cast

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.demo.activity import DEMO_PASSWORD
from portal.demo.seed import DEMO_LOGINS, seed_demo
from portal.domain.passwords import password_problems
from portal.extensions import db
from portal.models import ROLES, Branch, Company, Staff, User, utcnow
from portal.services.callbacks.sweep import sweep
from portal.services.checks import run_checks
from portal.services.modifications.stats import BATCH_SIZE, refresh_stats

seed_cli = AppGroup("seed", help="Load demo data.")
users_cli = AppGroup("users", help="Manage sign-in accounts.")
portal_cli = AppGroup("portal", help="Operate the portal.")
callbacks_cli = AppGroup("callbacks", help="Work the callback queue from cron.")
stats_cli = AppGroup("stats", help="Reporting statistics.")


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


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--company", "company_slug", required=True, help="Company slug.")
@click.option("--branch", "branch_id", type=int, help="Branch id (managers; optional for agents).")
@click.option("--staff", "staff_id", type=int, help="Staff id (agents).")
@click.password_option()
def create_user_command(email, name, role, company_slug, branch_id, staff_id, password) -> None:
    """Create a sign-in account."""
    company = db.session.scalar(select(Company).where(Company.slug == company_slug))
    if company is None:
        raise click.ClickException(f"No company with slug {company_slug!r}.")
    if role == "branch_manager" and branch_id is None:
        raise click.ClickException("A branch manager needs --branch.")
    for model, ident in ((Branch, branch_id), (Staff, staff_id)):
        # cast: mypy infers get()'s type from a union of classes as their common base, Model
        row = cast(Branch | Staff | None, db.session.get(model, ident) if ident is not None else None)
        if ident is not None and (row is None or row.company_id != company.id):
            raise click.ClickException(f"No {model.__name__.lower()} {ident} in {company_slug}.")
    if db.session.scalar(select(User).where(User.email == email.lower())):
        raise click.ClickException(f"A user with email {email} already exists.")
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise click.ClickException("The password was not accepted: " + " ".join(problems))
    user = User(company_id=company.id, email=email.lower(), name=name, role=role,
                branch_id=branch_id, staff_id=staff_id)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email} in {company.name}.")


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


def register(app) -> None:
    for group in (seed_cli, users_cli, portal_cli, callbacks_cli, stats_cli):
        app.cli.add_command(group)

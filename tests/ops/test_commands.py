"""flask seed demo, flask users create, flask portal check."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Appointment,
    Branch,
    CallbackRequest,
    Company,
    PolicyConfiguration,
    Service,
    Staff,
    User,
    utcnow,
)


def counts(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count(model.id)))
                for model in (Company, Branch, Service, Staff, User, Appointment, CallbackRequest,
                              PolicyConfiguration)}


def test_seed_demo_builds_the_promised_company_and_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.test / demo-password" in result.output
    first = counts(app)
    assert first["Branch"] >= 3
    assert first["Service"] >= 6
    assert first["Staff"] >= 12
    assert first["User"] == 3
    assert first["PolicyConfiguration"] >= 4
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert counts(app) == first
    with app.app_context():
        statuses = set(db.session.scalars(select(CallbackRequest.status)))
        assert {"pending", "assigned", "contacted", "completed"} <= statuses
        starts = list(db.session.scalars(select(Appointment.starts_at)))
        assert min(starts) < utcnow() < max(starts)
        levels = set(db.session.scalars(select(PolicyConfiguration.configurable_type)))
        assert levels == {"company", "branch", "service", "staff"}


def test_seed_demo_is_deterministic(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed", "demo"])
    with app.app_context():
        first = sorted((s.name, s.branch_id, tuple(x.name for x in s.services))
                       for s in db.session.scalars(select(Staff)))
        db.session.remove()
    from tests.conftest import KEEP_TABLES
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                db.session.execute(table.delete())
        db.session.commit()
    runner.invoke(args=["seed", "demo"])
    with app.app_context():
        first_branch = min(b.id for b in db.session.scalars(select(Branch)))
        second = sorted((s.name, s.branch_id - first_branch if s.branch_id else None,
                         tuple(x.name for x in s.services)) for s in db.session.scalars(select(Staff)))
    first_names = [(name, services) for name, _, services in first]
    assert first_names == [(name, services) for name, _, services in second]


def test_seed_demo_refuses_under_production_config_even_with_force(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    for args in (["seed", "demo"], ["seed", "demo", "--force"], ["seed", "demo", "--demo-passwords"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code != 0, args
        assert "Refusing" in result.output
        assert counts(app)["Company"] == 0


def test_seed_demo_in_production_needs_both_flags_and_warns(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--force", "--demo-passwords"])
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output
    assert "published password" in result.output
    assert counts(app)["Company"] == 1


def test_users_create_with_password_stdin_makes_an_account_that_can_sign_in(app, client, make):
    company = make.company()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "New@Example.test", "--name", "New Admin", "--role", "admin",
        "--company", company.slug, "--password-stdin",
    ], input="kettle-orbit-saffron\n")
    assert result.exit_code == 0, result.output
    assert "kettle-orbit-saffron" not in result.output
    assert client.login("new@example.test", "kettle-orbit-saffron").location == "/"


@pytest.mark.parametrize("password", ["password1234", "Password2024!", "new.admin-2024", "aaaaaaaaaaaa", "short"])
def test_users_create_refuses_a_weak_password_from_stdin(app, make, password):
    company = make.company()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "new.admin@example.test", "--name", "New Admin", "--role", "admin",
        "--company", company.slug, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    assert counts(app)["User"] == 0


def test_users_create_refuses_a_branch_of_another_company(app, make):
    mine, theirs = make.company(), make.company()
    foreign_branch = make.branch(theirs)
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "m@x.test", "--name", "M", "--role", "branch_manager",
        "--company", mine.slug, "--branch", str(foreign_branch.id),
    ])
    assert result.exit_code != 0
    assert "Unknown branch" in result.output
    assert counts(app)["User"] == 0


def test_portal_check_passes_on_a_migrated_database(app):
    result = app.test_cli_runner().invoke(args=["portal", "check"])
    assert result.exit_code == 0, result.output
    for name in ("database reachable", "migrations at head", "original tables",
                 "notification events", "counters", "cache round trip", "effective policy"):
        assert f"OK   {name}" in result.output


def test_portal_check_fails_when_a_counter_trigger_is_missing(app):
    from sqlalchemy import text

    from portal.extensions import db
    with app.app_context():
        db.session.execute(text("DROP TRIGGER modification_totals_insert"))
        db.session.commit()
    try:
        result = app.test_cli_runner().invoke(args=["portal", "check"])
    finally:
        with app.app_context():
            downgrade(revision="0005")
            upgrade()
    assert result.exit_code == 1
    assert "FAIL counters: missing modification_totals_insert" in result.output


def test_portal_check_resolves_a_real_policy(app):
    app.test_cli_runner().invoke(args=["seed", "demo"])
    result = app.test_cli_runner().invoke(args=["portal", "check"])
    assert "OK   effective policy: callback policy of demo: urgent SLA 60 min" in result.output


def test_portal_check_fails_and_names_the_check_on_an_empty_database(app):
    with app.app_context():
        downgrade(revision="base")
    try:
        result = app.test_cli_runner().invoke(args=["portal", "check"])
    finally:
        with app.app_context():
            upgrade()
    assert result.exit_code == 1
    assert "FAIL migrations at head" in result.output
    assert "FAIL original tables: missing policy_configurations" in result.output
    assert "OK   database reachable" in result.output


def test_demo_notification_rows_pass_the_editor_validation(app):
    from portal.domain.notifications import clean_settings
    from portal.models import NotificationConfiguration

    app.test_cli_runner().invoke(args=["seed", "demo"])
    keys = ("is_enabled", "fallback_channel", "retry_count", "retry_delay_minutes", "template_override")
    with app.app_context():
        rows = db.session.scalars(select(NotificationConfiguration)).all()
        assert {row.configurable_type for row in rows} == {"company", "branch", "staff"}
        for row in rows:
            raw = {key: getattr(row, key) for key in keys if getattr(row, key) is not None}
            _, errors = clean_settings(row.configurable_type, row.channel, raw, lock=row.locked)
            assert errors == {}, (row.event_type, row.channel, errors)

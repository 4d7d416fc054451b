"""The schema: migrations match the models, round-trip cleanly, and the database enforces rules."""
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.extensions import db
from portal.models import ORIGINAL_TABLES, NotificationEventMapping, PolicyConfiguration, utcnow

EVENT_TYPES = {
    "booking_confirmed", "booking_pending", "reminder_24h", "reminder_2h", "reminder_1week",
    "cancellation", "reschedule_confirmed", "appointment_modified", "callback_request_received",
    "callback_scheduled", "no_show", "appointment_completed", "payment_received",
}


def test_migrations_and_models_do_not_drift(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_the_13_events_arrive_with_the_migrations(app):
    with app.app_context():
        events = db.session.scalars(select(NotificationEventMapping)).all()
        assert {event.event_type for event in events} == EVENT_TYPES
        reminder = next(e for e in events if e.event_type == "reminder_24h")
        assert reminder.default_channels == ["email", "sms", "whatsapp"]
        assert reminder.meta["schedule_offset_hours"] == -24
        assert reminder.meta["label_de"] == "Erinnerung 24 Stunden vorher"


def test_downgrade_to_base_and_back_leaves_nothing_and_restores_everything(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(ORIGINAL_TABLES) <= tables
        assert db.session.scalar(select(func.count(NotificationEventMapping.id))) == 13


def test_event_downgrade_removes_exactly_the_events(app):
    with app.app_context():
        downgrade(revision="0001")
        assert db.session.scalar(select(func.count(NotificationEventMapping.id))) == 0
        db.session.rollback()
        upgrade()
        assert db.session.scalar(select(func.count(NotificationEventMapping.id))) == 13


def policy_row(company_id, **kw):
    return PolicyConfiguration(**{"company_id": company_id, "configurable_type": "branch",
                                  "configurable_id": 7, "policy_type": "cancellation",
                                  "config": {"hours_before": 24}, **kw})


def test_database_refuses_a_second_live_policy_row(app, make):
    company = make.company()
    with app.app_context():
        db.session.add(policy_row(company.id))
        db.session.commit()
        db.session.add(policy_row(company.id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_soft_deleted_rows_pile_up_beside_one_live_row(app, make):
    company = make.company()
    with app.app_context():
        for days in (1, 2):
            db.session.add(policy_row(company.id, live=None, deleted_at=utcnow() - timedelta(days=days)))
        db.session.add(policy_row(company.id))
        db.session.commit()
        assert db.session.scalar(select(func.count(PolicyConfiguration.id))) == 3


def test_database_refuses_a_deleted_row_that_still_claims_to_be_live(app, make):
    company = make.company()
    with app.app_context():
        db.session.add(policy_row(company.id, live=True, deleted_at=utcnow()))
        # MariaDB reports a failed CHECK as error 4025, which PyMySQL classes as operational.
        with pytest.raises((IntegrityError, OperationalError)):
            db.session.commit()
        db.session.rollback()


def test_policy_row_versions_count_up_on_every_update(app, make):
    company = make.company()
    with app.app_context():
        row = policy_row(company.id)
        db.session.add(row)
        db.session.commit()
        assert row.version == 1
        row.config = {"hours_before": 12}
        db.session.commit()
        assert row.version == 2

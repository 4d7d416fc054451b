from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Company, Customer
from tests.appointments.support import Bookings, now_seconds
from tests.delivery.support import Provider, SmtpSink


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server in the test process; the portal sends its email there."""
    with SmtpSink() as sink:
        monkeypatch.setitem(app.config, "SMTP_URL", sink.url)
        yield sink.inbox


@pytest.fixture
def provider(app, monkeypatch):
    """A webhook provider for SMS in the test process."""
    receiver = Provider().start()
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", receiver.url)
    monkeypatch.setitem(app.config, "NOTIFY_WEBHOOK_SECRET", "test-secret")
    yield receiver
    receiver.stop()


@pytest.fixture
def bookings(make, world):
    with make.app.app_context():
        company = db.session.get(Company, world.company.id)
        company.name, company.email_sender = "Salon North", "hello@salon.test"
        db.session.commit()
    return Bookings(make, world)


@pytest.fixture
def eva(app, bookings):
    """A German-speaking customer who agreed to email and SMS."""
    return bookings.customer(name="Eva Schulz", email="eva@example.test", language="de",
                                 consents={"email": True, "sms": True})


@pytest.fixture
def t0():
    return now_seconds()


def consents(app, customer_id: int, **given) -> None:
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        customer.consents = given
        db.session.commit()


@pytest.fixture
def soon(t0):
    return lambda **kw: t0 + timedelta(**kw)

"""The security event log: what is recorded, and the admins' page (filters, newest first, paged)."""
import logging
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import SecurityEvent, utcnow
from tests.html import parse


def shown(client, query="") -> list:
    page = parse(client.get("/security/events" + query).get_data(as_text=True))
    return page.find_all("tr", data_event=True)


def add_event(app, company_id, kind="sign_in", user_id=None, at=None):
    with app.app_context():
        db.session.add(SecurityEvent(company_id=company_id, user_id=user_id, kind=kind, address="192.0.2.1",
                                     created_at=at or utcnow()))
        db.session.commit()


def test_sign_in_failures_successes_and_refusals_are_recorded_with_user_address_and_time(app, world, caplog):
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="portal.security"):
        client.login(world.manager.email, "wrong-password")
        client.login("nobody@nowhere.test", "wrong-password")
        client.login(world.manager.email)
        client.get("/admin/users")  # 403 for a manager
    with app.app_context():
        rows = db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).all()
        got = [(e.kind, e.user_id, e.company_id, e.address) for e in rows]
    assert got == [("sign_in_failed", world.manager.id, world.company.id, "127.0.0.1"),
                   ("sign_in_failed", None, None, "127.0.0.1"),
                   ("sign_in", world.manager.id, world.company.id, "127.0.0.1"),
                   ("access_denied", world.manager.id, world.company.id, "127.0.0.1")]
    assert "security event access_denied" in caplog.text
    assert "GET /admin/users" in caplog.text


def test_admins_see_their_companys_events_newest_first(app, client, world, make):
    other = make.world()
    add_event(app, world.company.id, "sign_in_failed", world.agent.id, utcnow() - timedelta(hours=2))
    add_event(app, other.company.id, "sign_in_failed", other.agent.id)
    add_event(app, None, "sign_in_failed")
    client.login(world.admin.email)
    rows = shown(client)
    assert [row["data-kind"] for row in rows] == ["sign_in", "sign_in_failed"]  # own sign-in is newer


def test_the_log_filters_by_kind_person_and_day(app, client, world):
    add_event(app, world.company.id, "locked_out", world.agent.id, utcnow() - timedelta(days=3))
    add_event(app, world.company.id, "mfa_failed", world.manager.id)
    client.login(world.admin.email)
    assert [r["data-kind"] for r in shown(client, "?kind=locked_out")] == ["locked_out"]
    assert [r["data-kind"] for r in shown(client, f"?user={world.manager.id}")] == ["mfa_failed"]
    day = (utcnow() - timedelta(days=3)).date().isoformat()
    assert [r["data-kind"] for r in shown(client, f"?from={day}&to={day}")] == ["locked_out"]


def test_bad_filters_are_a_400_with_a_message_per_field(client, world):
    client.login(world.admin.email)
    response = client.get("/security/events?kind=nonsense&user=²&from=2026-02-31")
    assert response.status_code == 400
    page = parse(response.get_data(as_text=True))
    assert page.find(id="kind-error") is not None
    assert page.find(id="user-error") is not None
    assert page.find(id="from-error") is not None


def test_the_log_is_paged(app, client, world):
    for n in range(60):
        add_event(app, world.company.id, "sign_in_failed", world.agent.id, utcnow() - timedelta(minutes=n + 1))
    client.login(world.admin.email)
    assert len(shown(client)) == 50
    assert len(shown(client, "?page=2")) == 11  # 60 + the admin's own sign-in


def test_only_admins_see_the_log(client, world):
    client.login(world.manager.email)
    assert client.get("/security/events").status_code == 403

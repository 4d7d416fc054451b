"""One-time links: set a first password once, within the lifetime, never shown again."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import PasswordLink, User, utcnow
from portal.services.organisation.links import LIFETIMES, issue_link, token_hash
from tests.html import field_errors, page
from tests.support import PASSWORD

NEW_PASSWORD = "a-fresh-long-passphrase"


def new_link(app, user_id, purpose="welcome", now=None) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        token = issue_link(user, purpose, None, now or utcnow())
        db.session.commit()
        return f"/set-password/{token}"


def set_password(client, url, password=NEW_PASSWORD, confirmation=None):
    return client.post(url, data={"password": password, "confirmation": confirmation or password,
                                  "csrf_token": client.csrf_token("/login")})


def test_a_link_sets_the_password_once_and_the_user_signs_in_with_it(app, client, world):
    url = new_link(app, world.agent.id)
    assert page(client.get(url)).one(data_link="usable")
    response = set_password(client, url)
    assert response.status_code == 302
    assert response.location == "/login"
    assert client.login(world.agent.email, NEW_PASSWORD).location == "/"
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert "used already" in page(again).one(data_link_problem=True).text
    assert set_password(client, url, "another-long-password").status_code == 410
    assert client.login(world.agent.email, NEW_PASSWORD).location == "/"


def test_only_the_hash_of_a_token_is_stored(app, world):
    url = new_link(app, world.agent.id)
    token = url.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(db.select(PasswordLink)).one()
        assert stored.token_hash == token_hash(token) != token
        assert token not in repr(db.session.execute(db.select(PasswordLink.__table__)).all())


@pytest.mark.parametrize(("purpose", "hours"), [("welcome", 24), ("reset", 1)])
def test_a_link_expires_after_its_lifetime(app, client, world, purpose, hours):
    assert LIFETIMES[purpose] == timedelta(hours=hours)
    issued = utcnow() - timedelta(hours=hours, minutes=1)
    url = new_link(app, world.agent.id, purpose, now=issued)
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in page(response).one(data_link_problem=True).text
    assert set_password(client, url).status_code == 410


def test_a_newer_link_retires_the_older_one(app, client, world):
    first = new_link(app, world.agent.id)
    second = new_link(app, world.agent.id)
    assert client.get(first).status_code == 410
    assert set_password(client, second).status_code == 302


@pytest.mark.parametrize("token", ["nope", "x" * 101, "ünïcode", "a" * 43])
def test_an_unknown_token_is_refused_without_saying_more(client, world, token):
    response = client.get(f"/set-password/{token}")
    assert response.status_code == 404
    assert "not valid" in page(response).one(data_link_problem=True).text


@pytest.mark.parametrize(("password", "confirmation", "message"), [
    ("short", "short", "at least 12 characters"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "differ"),
])
def test_a_weak_or_mistyped_password_is_refused_and_the_link_stays_usable(app, client, world, password,
                                                                          confirmation, message):
    url = new_link(app, world.agent.id)
    response = set_password(client, url, password, confirmation)
    assert response.status_code == 400
    assert any(message in problem.text for problem in page(response).find_all("p", class_="error"))
    assert set_password(client, url).status_code == 302


def test_setting_a_password_ends_every_session_of_the_user(app, client, make, world):
    other = app.test_client()
    other.login(world.agent.email)
    assert other.get("/callbacks/").status_code == 200
    set_password(client, new_link(app, world.agent.id, "reset"))
    assert other.get("/callbacks/").status_code == 302
    assert client.login(world.agent.email, PASSWORD).status_code == 401


def test_a_deactivated_account_cannot_use_its_link(app, client, world):
    url = new_link(app, world.agent.id)
    with app.app_context():
        db.session.get(User, world.agent.id).is_active = False
        db.session.commit()
    response = client.get(url)
    assert response.status_code == 410
    assert "deactivated" in page(response).one(data_link_problem=True).text
    assert field_errors(page(response)) == []

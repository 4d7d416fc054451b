"""Changing one's password on My account: the current one first, the rules, other sessions end."""
import pytest

from portal.extensions import db
from portal.models import SecurityEvent, User
from tests.html import parse
from tests.support import PASSWORD

NEW = "kettle-orbit-saffron"


def change(client, current=PASSWORD, new=NEW, repeat=None):
    return client.submit("/account/password", {"current_password": current, "new_password": new,
                                               "repeat_password": new if repeat is None else repeat})


def field_errors(response, name) -> str:
    return " ".join(e.text for e in parse(response.get_data(as_text=True)).find_all("div", data_field=name))


def test_changing_the_password_needs_the_current_one(client, world):
    client.login(world.admin.email)
    response = change(client, current="not-my-password")
    assert response.status_code == 400
    assert "not your current password" in field_errors(response, "current_password")


@pytest.mark.parametrize(("new", "message"), [
    ("password12", "at least 12"), ("aaaaaaaaaaaa", "repeated"), ("Password2024!", "common and breached"),
])
def test_a_weak_new_password_is_refused_with_the_reason(client, world, new, message):
    client.login(world.admin.email)
    response = change(client, new=new)
    assert response.status_code == 400
    assert message in field_errors(response, "new_password")


def test_the_new_password_must_be_typed_twice_the_same(client, world):
    client.login(world.admin.email)
    response = change(client, repeat=NEW + "x")
    assert response.status_code == 400
    assert "differ" in field_errors(response, "repeat_password")


def test_a_changed_password_signs_out_the_other_sessions(app, world):
    mine, other = app.test_client(), app.test_client()
    mine.login(world.admin.email)
    other.login(world.admin.email)
    assert change(mine).status_code == 302
    assert mine.get("/").status_code == 200
    assert other.get("/").status_code == 302
    fresh = app.test_client()
    assert fresh.login(world.admin.email, PASSWORD).status_code == 401
    assert fresh.login(world.admin.email, NEW).status_code == 302
    with app.app_context():
        user = db.session.get(User, world.admin.id)
        assert user.password_changed_at is not None
        assert db.session.query(SecurityEvent).filter_by(kind="password_changed", user_id=user.id).count() == 1

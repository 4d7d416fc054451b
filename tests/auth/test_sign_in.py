"""Sign-in, sign-out, safe redirects, throttling and CSRF."""
import pytest

from portal.auth.routes import GENERIC_FAILURE, safe_next
from portal.extensions import db
from portal.models import User
from tests.support import PASSWORD


def test_sign_in_with_email_and_password_lands_on_dashboard(client, world):
    response = client.login(world.admin.email)
    assert response.status_code == 302
    assert response.location == "/"
    assert b"Dashboard" in client.get("/").data


def test_passwords_are_stored_hashed_with_the_configured_method(app, world):
    # scrypt outside tests: tests/ops/test_password_hash.py proves the production config keeps it.
    with app.app_context():
        user = db.session.get(User, world.admin.id)
        assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"])
        assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(("email", "password"), [
    ("{admin}", "wrong-password"),
    ("nobody@nowhere.test", PASSWORD),
])
def test_failed_sign_in_says_the_same_thing_whatever_was_wrong(client, world, email, password):
    response = client.login(email.format(admin=world.admin.email), password)
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert GENERIC_FAILURE in body
    assert "unknown" not in body.lower()
    assert "wrong password" not in body.lower()


def test_malformed_sign_in_form_is_a_400_with_messages(client):
    token = client.csrf_token("/login")
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert response.status_code == 400
    assert b"This field is required." in response.data


def test_logout_makes_a_captured_session_cookie_useless(client, app, world):
    client.login(world.admin.email)
    captured = client.get_cookie("session").value
    assert client.logout().status_code == 302
    # An attacker replays the cookie captured before the logout.
    attacker = app.test_client()
    attacker.set_cookie("session", captured)
    response = attacker.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_logout_is_a_post_only_action(client, world):
    client.login(world.admin.email)
    assert client.get("/logout").status_code == 405


def test_post_without_csrf_token_is_refused(client, world):
    client.login(world.admin.email)
    response = client.post("/logout")
    assert response.status_code == 400
    assert b"did not come from this site" in response.data
    assert client.get("/").status_code == 200  # still signed in


def test_sign_in_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"email": world.admin.email, "password": PASSWORD})
    assert response.status_code == 400


def test_next_redirect_goes_to_our_own_path(client, world):
    token = client.csrf_token("/login?next=/admin/users")
    response = client.post("/login", data={"email": world.admin.email, "password": PASSWORD,
                                           "next": "/admin/users", "csrf_token": token})
    assert response.location == "/admin/users"


@pytest.mark.parametrize("target", [
    "https://evil.test/", "//evil.test/x", "/\\evil.test", "javascript:alert(1)", "evil.test",
    "http:/evil.test",
])
def test_next_never_leaves_the_site(target):
    assert safe_next(target) is None


def test_next_to_another_site_falls_back_to_dashboard(client, world):
    token = client.csrf_token("/login")
    response = client.post("/login", data={"email": world.admin.email, "password": PASSWORD,
                                           "next": "https://evil.test/", "csrf_token": token})
    assert response.location == "/"


def test_anonymous_visitor_is_sent_to_sign_in_with_next(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fadmin%2Fusers"


def test_sign_in_is_locked_after_repeated_failures(client, world):
    for _ in range(5):
        assert client.login(world.admin.email, "wrong-password").status_code == 401
    response = client.login(world.admin.email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.data


def test_security_headers_are_sent(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"

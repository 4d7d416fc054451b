"""Re-authentication (password or code, valid REAUTH_MINUTES) before sensitive actions."""
from datetime import UTC

import pyotp
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ApiToken, AppointmentModification, User
from tests.appointments.support import Bookings
from tests.appointments.test_modify import cancel_url, hidden_fields
from tests.support import PASSWORD


def tokens(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ApiToken.id)))


def reauth(client, secret, next_path):
    token = client.csrf_token(f"/reauth?next={next_path}")
    return client.post("/reauth", data={"secret": secret, "next": next_path, "csrf_token": token})


def test_creating_an_api_token_right_after_sign_in_needs_nothing_more(app, client, world):
    client.login(world.admin.email)
    response = client.submit("/callbacks/tokens", {"name": "Voice agent"})
    assert response.location == "/callbacks/tokens"  # created, then shown once (post/redirect/get)
    assert tokens(app) == 1


def test_creating_an_api_token_later_asks_for_the_password_first(app, client, world, clock):
    client.login(world.admin.email)
    clock.advance(minutes=6)
    response = client.submit("/callbacks/tokens", {"name": "Voice agent"},
                             headers={"Referer": "http://localhost/callbacks/tokens"})
    assert response.status_code == 302
    assert response.location.startswith("/reauth?next=/callbacks/tokens")
    assert tokens(app) == 0
    assert reauth(client, "wrong-password", "/callbacks/tokens").status_code == 401
    assert client.submit("/callbacks/tokens", {"name": "Voice agent"}).location.startswith("/reauth")
    response = reauth(client, PASSWORD, "/callbacks/tokens")
    assert response.location == "/callbacks/tokens"
    assert client.submit("/callbacks/tokens", {"name": "Voice agent"}).location == "/callbacks/tokens"
    assert tokens(app) == 1
    clock.advance(minutes=6)  # the confirmation is valid for a few minutes only
    assert client.submit("/callbacks/tokens", {"name": "Website"}).location.startswith("/reauth")
    assert tokens(app) == 1


def test_an_authenticator_code_also_confirms_it_is_you(app, client, world, clock):
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, world.admin.id)
        user.totp_secret, user.totp_enabled_at = secret, clock.now
        db.session.commit()
    client.login(world.admin.email)  # the fixture's user has MFA without signing in through it:
    # the password step asks for the code
    client.post("/login/code", data={"code": pyotp.TOTP(secret).at(clock.now.replace(tzinfo=UTC)),
                                     "csrf_token": client.csrf_token("/login/code")})
    clock.advance(minutes=10)
    assert client.submit("/callbacks/tokens", {"name": "Voice agent"}).location.startswith("/reauth")
    response = reauth(client, pyotp.TOTP(secret).at(clock.now.replace(tzinfo=UTC)), "/callbacks/tokens")
    assert response.location == "/callbacks/tokens"
    assert client.submit("/callbacks/tokens", {"name": "Voice agent"}).location == "/callbacks/tokens"
    assert tokens(app) == 1


def test_forcing_an_out_of_policy_cancellation_needs_a_recent_password(app, client, make, world, clock):
    bookings = Bookings(make, world)
    bookings.policy("company", world.company.id, {"hours_before": 24})
    appointment = bookings.appointment(hours_ahead=5)
    client.login(world.manager.email)
    clock.advance(minutes=6)
    url = cancel_url(appointment)
    fields = {**hidden_fields(client.get(url).get_data(as_text=True)), "force": "y", "reason": "In hospital"}
    response = client.submit(url, fields, headers={"Referer": f"http://localhost{url}"})
    assert response.status_code == 302
    assert response.location.startswith("/reauth")
    with app.app_context():
        assert db.session.scalar(select(func.count(AppointmentModification.id))) == 0
    reauth(client, PASSWORD, url)
    fields = {**hidden_fields(client.get(url).get_data(as_text=True)), "force": "y", "reason": "In hospital"}
    assert client.submit(url, fields).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(AppointmentModification.id))) == 1


def test_a_modification_within_policy_needs_no_re_authentication(app, client, make, world, clock):
    appointment = Bookings(make, world).appointment(hours_ahead=50)
    client.login(world.manager.email)
    clock.advance(minutes=20)
    url = cancel_url(appointment)
    response = client.submit(url, hidden_fields(client.get(url).get_data(as_text=True)))
    assert response.status_code == 302
    assert response.location == f"/appointments/{appointment.id}"


def test_changing_a_role_later_asks_for_the_password_first(app, client, world, clock):
    client.login(world.admin.email)
    clock.advance(minutes=6)
    url = f"/admin/users/{world.agent.id}"
    response = client.get(url)
    assert response.status_code == 302
    assert response.location.startswith(f"/reauth?next={url}")
    assert client.post(f"{url}/deactivate", data={"csrf_token": client.csrf_token("/")}).status_code == 302
    with app.app_context():
        assert db.session.get(User, world.agent.id).is_active  # nothing changed before the password
    reauth(client, PASSWORD, url)
    assert client.get(url).status_code == 200

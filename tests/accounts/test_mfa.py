"""TOTP two-step sign-in: enrolment, password → code → session, replay, recovery codes, who must use it."""
from datetime import UTC

import pyotp
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import RecoveryCode, SecurityEvent, User
from tests.html import parse
from tests.support import PASSWORD


def code_at(secret: str, clock) -> str:
    return pyotp.TOTP(secret).at(clock.now.replace(tzinfo=UTC))


def enrol(client, clock) -> tuple[str, list[str]]:
    """Turn on two-step sign-in from My account; the secret and the recovery codes shown once."""
    page = parse(client.get("/account/mfa").get_data(as_text=True))
    secret = page.find("code", data_secret=True).text.replace(" ", "")
    assert page.find("svg") is not None  # the QR code, drawn on the server
    response = client.submit("/account/mfa", {"code": code_at(secret, clock)})
    assert response.status_code == 200
    codes = [c.text for c in parse(response.get_data(as_text=True)).find_all("code", data_code=True)]
    return secret, codes


def password_step(client, email):
    return client.login(email)


def kinds(app, user_id):
    with app.app_context():
        return list(db.session.scalars(select(SecurityEvent.kind).where(SecurityEvent.user_id == user_id)
                                       .order_by(SecurityEvent.id)))


def test_enrolment_shows_a_qr_code_and_ten_recovery_codes_once(app, client, world, clock):
    client.login(world.admin.email)
    secret, codes = enrol(client, clock)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    with app.app_context():
        user = db.session.get(User, world.admin.id)
        assert user.has_mfa
        assert user.totp_secret == secret
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert not {c.replace("-", "") for c in codes} & set(stored)  # hashed, never stored as typed
    assert "mfa_enrolled" in kinds(app, world.admin.id)
    page = parse(client.get("/account").get_data(as_text=True))
    assert page.find("section", data_mfa="on") is not None


def test_enrolment_needs_a_code_from_the_scanned_secret(app, client, world):
    client.login(world.admin.email)
    client.get("/account/mfa")
    response = client.submit("/account/mfa", {"code": "000000"})
    assert response.status_code == 400
    with app.app_context():
        assert not db.session.get(User, world.admin.id).has_mfa


def test_with_mfa_the_password_alone_does_not_sign_in(app, world, clock):
    setup = app.test_client()
    setup.login(world.admin.email)
    secret, _ = enrol(setup, clock)
    client = app.test_client()
    response = password_step(client, world.admin.email)
    assert response.location == "/login/code"
    assert client.get("/").status_code == 302  # not signed in between the steps
    clock.advance(seconds=30)
    response = _code_form(client, code_at(secret, clock))
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def _code_form(client, code):
    return client.post("/login/code", data={"code": code, "csrf_token": client.csrf_token("/login/code")})


def test_a_wrong_or_replayed_code_is_refused(app, world, clock):
    setup = app.test_client()
    setup.login(world.admin.email)
    secret, _ = enrol(setup, clock)
    clock.advance(seconds=30)
    first = app.test_client()
    password_step(first, world.admin.email)
    assert _code_form(first, "123456" if code_at(secret, clock) != "123456" else "654321").status_code == 401
    code = code_at(secret, clock)
    assert _code_form(first, code).status_code == 302
    second = app.test_client()  # someone who saw the code over the shoulder, a second later
    password_step(second, world.admin.email)
    assert _code_form(second, code).status_code == 401
    assert "mfa_failed" in kinds(app, world.admin.id)


def test_a_recovery_code_signs_in_once(app, world, clock):
    setup = app.test_client()
    setup.login(world.admin.email)
    _, codes = enrol(setup, clock)
    client = app.test_client()
    password_step(client, world.admin.email)
    assert _code_form(client, codes[3].lower()).status_code == 302
    again = app.test_client()
    password_step(again, world.admin.email)
    assert _code_form(again, codes[3]).status_code == 401
    assert "recovery_code_used" in kinds(app, world.admin.id)
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_(None))) == 9


def test_new_recovery_codes_replace_the_old_ones(app, client, world, clock):
    client.login(world.admin.email)
    _, old = enrol(client, clock)
    response = client.submit("/account/mfa/recovery-codes")
    new = [c.text for c in parse(response.get_data(as_text=True)).find_all("code", data_code=True)]
    assert len(new) == 10
    assert not set(new) & set(old)
    other = app.test_client()
    password_step(other, world.admin.email)
    assert _code_form(other, old[0]).status_code == 401
    assert _code_form(other, new[0]).status_code == 302


def test_the_code_step_expires(app, world, clock, monkeypatch):
    setup = app.test_client()
    setup.login(world.admin.email)
    secret, _ = enrol(setup, clock)
    client = app.test_client()
    password_step(client, world.admin.email)
    token = client.csrf_token("/login/code")
    monkeypatch.setattr("portal.auth.flow.PENDING_SECONDS", -1)
    clock.advance(seconds=30)
    response = client.post("/login/code", data={"code": code_at(secret, clock), "csrf_token": token})
    assert response.status_code == 302
    assert response.location == "/login"
    assert client.get("/").status_code == 302


def test_code_guessing_is_throttled_like_passwords(app, world, clock):
    setup = app.test_client()
    setup.login(world.admin.email)
    enrol(setup, clock)
    client = app.test_client()
    password_step(client, world.admin.email)  # 1 attempt (cleared by nothing: not a success yet)
    statuses = [_code_form(client, f"{n:06d}").status_code for n in range(10)]
    assert 429 in statuses
    assert statuses.index(429) <= 5


@pytest.fixture
def admins_need_mfa(app, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("admin",))


def test_an_admin_enrols_at_the_next_sign_in_when_the_config_requires_it(app, client, world, clock,
                                                                          admins_need_mfa):
    response = password_step(client, world.admin.email)
    assert response.location == "/login/enrol"
    assert client.get("/").status_code == 302
    page = parse(client.get("/login/enrol").get_data(as_text=True))
    secret = page.find("code", data_secret=True).text.replace(" ", "")
    response = client.post("/login/enrol", data={"code": code_at(secret, clock),
                                                 "csrf_token": client.csrf_token("/login/enrol")})
    assert response.status_code == 200
    assert len(parse(response.get_data(as_text=True)).find_all("code", data_code=True)) == 10
    assert client.get("/").status_code == 200
    client.logout()
    assert password_step(client, world.admin.email).location == "/login/code"


def test_others_are_not_asked_and_a_required_second_step_cannot_be_turned_off(app, world, clock,
                                                                              admins_need_mfa):
    manager = app.test_client()
    assert password_step(manager, world.manager.email).location == "/"
    admin = app.test_client()
    password_step(admin, world.admin.email)
    secret = parse(admin.get("/login/enrol").get_data(as_text=True)).find("code", data_secret=True).text
    admin.post("/login/enrol", data={"code": code_at(secret.replace(" ", ""), clock),
                                     "csrf_token": admin.csrf_token("/login/enrol")})
    admin.submit("/account/mfa/off")
    with app.app_context():
        assert db.session.get(User, world.admin.id).has_mfa


def test_mfa_can_be_turned_off_where_it_is_optional(app, client, world, clock):
    client.login(world.agent.email)
    enrol(client, clock)
    assert client.submit("/account/mfa/off").status_code == 302
    with app.app_context():
        user = db.session.get(User, world.agent.id)
        assert not user.has_mfa
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert "mfa_removed" in kinds(app, world.agent.id)
    client.logout()
    assert client.login(world.agent.email, PASSWORD).location == "/"

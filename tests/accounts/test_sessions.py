"""Sessions: one row per browser, idle and absolute time-outs (fake clock), ending one or all."""
from sqlalchemy import select

from portal.extensions import db
from portal.models import SecurityEvent, User, UserSession
from tests.accounts.support import add_session
from tests.html import parse
from tests.support import PASSWORD

UA_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def sessions_of(app, user_id):
    with app.app_context():
        return db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                  .order_by(UserSession.id)).all()


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_sign_in_stores_a_session_with_address_and_browser_and_only_a_hash_of_the_token(app, client, world):
    client.post("/login", data={"email": world.admin.email, "password": PASSWORD,
                                "csrf_token": client.csrf_token("/login")},
                headers={"User-Agent": UA_FIREFOX}, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    [row] = sessions_of(app, world.admin.id)
    assert (row.ip, row.user_agent, row.ended_at) == ("192.0.2.44", UA_FIREFOX, None)
    cookie = client.get_cookie("session").value
    assert row.token_hash not in cookie


def test_a_session_ends_after_30_idle_minutes(app, client, world, clock):
    client.login(world.admin.email)
    clock.advance(minutes=29)
    assert signed_in(client)
    clock.advance(minutes=29)  # 29 minutes after the last request: still within the idle time-out
    assert signed_in(client)
    clock.advance(minutes=30)
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert "without activity" in client.get("/login").get_data(as_text=True)
    [row] = sessions_of(app, world.admin.id)
    assert row.end_reason == "idle"


def test_a_session_ends_12_hours_after_sign_in_however_active(app, client, world, clock):
    client.login(world.admin.email)
    for _ in range(11 * 3):
        clock.advance(minutes=20)
        assert signed_in(client)
    clock.advance(minutes=60)
    assert not signed_in(client)
    [row] = sessions_of(app, world.admin.id)
    assert row.end_reason == "expired"
    with app.app_context():
        assert db.session.scalar(select(SecurityEvent.kind).where(SecurityEvent.kind == "session_expired"))


def test_the_time_outs_follow_the_settings(app, client, world, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    client.login(world.admin.email)
    clock.advance(minutes=4)
    assert signed_in(client)
    clock.advance(minutes=6)
    assert not signed_in(client)


def test_my_account_lists_my_sessions_and_ends_another_one(app, world):
    laptop, phone = app.test_client(), app.test_client()
    laptop.login(world.admin.email)
    phone.login(world.admin.email)
    page = parse(laptop.get("/account").get_data(as_text=True))
    rows = page.find_all("tr", data_session=True)
    assert len(rows) == 2
    current = [row for row in rows if row.get("data-current") is not None]
    assert len(current) == 1
    other_id = next(row["data-session"] for row in rows if row.get("data-current") is None)
    response = laptop.submit(f"/account/sessions/{other_id}/end")
    assert response.status_code == 302
    assert not signed_in(phone)
    assert signed_in(laptop)


def test_ending_all_other_sessions_keeps_this_one(app, world):
    browsers = [app.test_client() for _ in range(3)]
    for browser in browsers:
        browser.login(world.admin.email)
    assert browsers[0].submit("/account/sessions/end-others").status_code == 302
    assert [signed_in(b) for b in browsers] == [True, False, False]


def test_a_session_of_someone_else_cannot_be_ended(app, client, world):
    theirs = add_session(app, world.manager)
    client.login(world.admin.email)
    assert client.submit(f"/account/sessions/{theirs}/end").status_code == 404
    assert sessions_of(app, world.manager.id)[0].ended_at is None


def test_signing_out_ends_this_session_only(app, world):
    laptop, phone = app.test_client(), app.test_client()
    laptop.login(world.admin.email)
    phone.login(world.admin.email)
    laptop.logout()
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_end_sessions_still_ends_every_session_of_the_user(app, world):
    """The contract the user pages rely on (deactivation, password reset, role change)."""
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        browser.login(world.admin.email)
    with app.app_context():
        db.session.get(User, world.admin.id).end_sessions()
        db.session.commit()
    assert [signed_in(b) for b in browsers] == [False, False]
    assert all(row.ended_at is not None for row in sessions_of(app, world.admin.id))


def test_a_captured_cookie_of_an_ended_session_stays_useless(app, client, world):
    client.login(world.admin.email)
    captured = client.get_cookie("session").value
    client.logout()
    attacker = app.test_client()
    attacker.set_cookie("session", captured)
    assert attacker.get("/").status_code == 302

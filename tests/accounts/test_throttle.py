"""Sign-in throttling that cannot be sidestepped: spellings, concurrency, spraying, proxies, Redis faults.

Limits under test (portal.config): 5 attempts per account and address in 15 minutes, 30 per address
over all accounts in an hour, 50 per account in a day; 3 / 10 / 10 locally while Redis is unreachable.
"""
import logging
import threading
import time

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import SecurityEvent
from tests.support import PASSWORD


def attempt(client, email: str, password: str = "wrong-password", address: str = "192.0.2.10", **kw):
    """One sign-in POST from `address` (the socket's), as a browser sends it."""
    environ = {"REMOTE_ADDR": address}
    token = client.csrf_token("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base=environ, **kw)


def events(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(SecurityEvent.id)).where(SecurityEvent.kind == kind))


@pytest.mark.parametrize("spellings", [
    ["{e}", "{E}", " {e} ", "{e}\t"],
    ["{e}", "{fullwidth}", "{E}", "{fullwidth}"],
])
def test_every_spelling_of_an_email_counts_against_one_account(client, world, spellings):
    email = world.admin.email
    variants = {"e": email, "E": email.upper(), "fullwidth": "ａ" + email[1:]}  # NFKC makes ａ an a
    for spelling in spellings + spellings[:1]:
        assert attempt(client, spelling.format(**variants)).status_code == 401
    response = attempt(client, email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_44_guesses_under_changing_spellings_get_5_evaluations(client, world):
    email = world.admin.email
    spellings = [email, email.upper(), email.title(), "ａ" + email[1:], f"  {email}"]
    statuses = [attempt(client, spellings[n % len(spellings)]).status_code for n in range(44)]
    assert statuses.count(401) == 5
    assert statuses.count(429) == 39


def test_accent_variants_share_the_account_where_the_database_equates_them(client, make, mariadb):
    """utf8mb4_unicode_ci finds victim@ for vìctim@: the attempt counts against that account."""
    company = make.company()
    make.user(company, email="victim@example.test")
    for spelling in ["vìctim@example.test", "víctim@example.test", "vïctim@example.test",
                     "VÎCTIM@example.test", "victim@example.test"]:
        assert attempt(client, spelling).status_code == 401
    assert attempt(client, "victim@example.test", PASSWORD).status_code == 429


def _concurrently(app, count: int, email: str) -> list[int]:
    clients = [app.test_client() for _ in range(count)]
    tokens = [c.csrf_token("/login") for c in clients]
    barrier, statuses = threading.Barrier(count), [0] * count

    def run(n):
        barrier.wait()
        statuses[n] = clients[n].post("/login", data={"email": email, "password": "wrong-password",
                                                      "csrf_token": tokens[n]},
                                      environ_base={"REMOTE_ADDR": "192.0.2.20"}).status_code

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_24_concurrent_attempts_evaluate_exactly_the_limit(app, world):
    statuses = _concurrently(app, 24, world.admin.email)
    assert statuses.count(401) == 5
    assert statuses.count(429) == 19


def test_24_concurrent_attempts_evaluate_exactly_the_limit_with_redis(make_app, redis_limits, world):
    other = make_app(**redis_limits)
    statuses = _concurrently(other, 24, world.admin.email)
    assert statuses.count(401) == 5
    assert statuses.count(429) == 19


def test_password_spraying_from_one_address_is_slowed_across_accounts(client, make, world):
    victims = [make.user(world.company, role="agent") for _ in range(3)]
    emails = [f"nobody{n}@example.test" for n in range(27)] + [v.email for v in victims]
    assert [attempt(client, email).status_code for email in emails] == [401] * 30
    # A 31st account, never tried before, from the same address: refused, right password or not.
    assert attempt(client, world.manager.email, PASSWORD).status_code == 429
    assert attempt(client, world.manager.email, PASSWORD, address="192.0.2.99").status_code == 302


def test_a_success_clears_the_account_counter_but_never_the_address_counter(client, make, world):
    for _ in range(4):
        assert attempt(client, world.admin.email).status_code == 401
    assert attempt(client, world.admin.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(5):  # the account's counter started again
        assert attempt(client, world.admin.email).status_code == 401
    # 10 attempts of this address so far: signing into an account of one's own does not reset that.
    for n in range(20):
        attempt(client, f"spray{n}@example.test")
    assert attempt(client, world.manager.email, PASSWORD).status_code == 429


def test_a_lockout_is_logged_and_stored(app, client, world, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        for _ in range(6):
            attempt(client, world.admin.email)
    assert "security event locked_out" in caplog.text
    assert events(app, "sign_in_failed") == 5
    assert events(app, "locked_out") == 1


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(client, world):
    for n in range(5):
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert attempt(client, world.admin.email, address="127.0.0.1", headers=headers).status_code == 401
    response = attempt(client, world.admin.email, PASSWORD, address="127.0.0.1",
                       headers={"X-Forwarded-For": "203.0.113.77"})
    assert response.status_code == 429


def test_behind_the_trusted_proxy_clients_do_not_share_one_address(make_app, world):
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    # Every request arrives from the proxy (127.0.0.1); the proxy names the client.
    for _ in range(5):
        assert attempt(proxied, world.admin.email, address="127.0.0.1",
                       headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 401
    assert attempt(proxied, world.admin.email, PASSWORD, address="127.0.0.1",
                   headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 429
    # The attacker at .5 has not locked the real user out: they sign in from their own address.
    assert attempt(proxied, world.admin.email, PASSWORD, address="127.0.0.1",
                   headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 302


def test_behind_the_proxy_entries_the_client_wrote_itself_are_ignored(make_app, world):
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    for n in range(5):  # the proxy appends the real address after whatever the client sent
        headers = {"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.5"}
        assert attempt(proxied, world.admin.email, address="127.0.0.1", headers=headers).status_code == 401
    response = attempt(proxied, world.admin.email, PASSWORD, address="127.0.0.1",
                       headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.5"})
    assert response.status_code == 429


@pytest.mark.parametrize("storage", ["closed_port", "frozen_server"])
def test_when_redis_is_down_or_frozen_sign_in_fails_safe(request, make_app, world, caplog, storage):
    port = request.getfixturevalue(storage)
    broken = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/2",
                      RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5})
    client = broken.test_client()
    with caplog.at_level(logging.ERROR, logger="portal.services.accounts.throttle"):
        started = time.monotonic()
        statuses = [attempt(client, world.admin.email).status_code for _ in range(4)]
        elapsed = time.monotonic() - started
    assert statuses == [401, 401, 401, 429]  # the stricter local limit: 3
    assert elapsed < 4  # one socket time-out, then Redis is left alone for a while
    assert "Sign-in throttle storage unreachable" in caplog.text
    assert events(broken, "throttle_unavailable") == 1


def test_the_local_limit_lets_the_right_password_through_while_redis_is_down(make_app, world, closed_port):
    broken = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/2",
                      RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5})
    assert attempt(broken.test_client(), world.admin.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("email", ["İSTANBUL@example.test", "x" * 255, "%ED%A0%80@x",
                                   "ß@example.test", "\u202e@example.test"])
def test_odd_emails_are_an_ordinary_failed_sign_in(client, email):
    assert attempt(client, email).status_code == 401


def test_a_control_character_in_the_email_is_refused_before_any_password_is_checked(client):
    """The input layer refuses NUL and other control characters in any value (400, named)."""
    response = attempt(client, "a\x00b@example.test")
    assert response.status_code == 400

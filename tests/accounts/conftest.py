"""Fixtures of the account tests: apps with other settings on the same database, Redis that is
down or frozen, a fake clock."""
import os
import socket
import threading

import pytest

from portal import create_app
from tests.accounts.support import FakeClock
from tests.conftest import key_prefix, limiter_config
from tests.support import PortalClient

# The ports this area may use for servers it starts (a frozen "Redis", a closed port).
OUR_PORTS = range(5211, 5220)


@pytest.fixture
def make_app(app):
    """Another app on the session's database with some settings changed (e.g. TRUSTED_PROXIES)."""

    def build(**config):
        other = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "CACHE_TYPE": "SimpleCache", "RATELIMIT_STORAGE_URI": "memory://",
                            "RATELIMIT_STORAGE_OPTIONS": {}, **config})
        other.test_client_class = PortalClient
        return other

    return build


@pytest.fixture
def clock(monkeypatch):
    return FakeClock(monkeypatch)


def _free_port() -> tuple[socket.socket, int]:
    for port in OUR_PORTS:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
        except OSError:
            listener.close()
            continue
        return listener, port
    pytest.skip(f"none of the ports {OUR_PORTS.start}-{OUR_PORTS.stop - 1} is free")


@pytest.fixture
def closed_port() -> int:
    """A port of ours where nothing listens: Redis 'down' (connections refused at once)."""
    listener, port = _free_port()
    listener.close()
    return port


@pytest.fixture
def frozen_server():
    """A server that accepts connections and never answers: Redis 'frozen' (hung, not down)."""
    listener, port = _free_port()
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.fixture
def redis_limits(redis_url) -> dict:
    """Settings that put the throttling counters in the real Redis (under this run's prefix)."""
    return limiter_config(os.environ.get("TEST_REDIS_URL", redis_url), key_prefix("portal-test-throttle"))

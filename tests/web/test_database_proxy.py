"""A database that is cut, then hangs, then comes back: through a TCP proxy between the app and
MariaDB (MariaDB stage; skipped on SQLite). Users get the static 503 page within the timeouts,
/healthz says the database is failing, and the app recovers by itself when the link is back.
"""
import contextlib
import select
import socket
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from portal import create_app
from tests.html import page
from tests.support import PortalClient

PORTS = range(5201, 5210)  # this engineer's ports on the shared machine
TIMEOUT = 2  # DB_CONNECT_TIMEOUT, DB_READ_TIMEOUT and DB_WRITE_TIMEOUT of the app under test
# A hung pooled connection costs one read timeout (the pre-ping), the reconnect through the hung
# link one more (the server's greeting never comes): the page must come within both and a margin.
WITHIN = 2 * TIMEOUT + 2


class Link:
    """127.0.0.1:<port> forwarded to MariaDB; `cut()` drops every connection (and each new one at
    once), `hang()` keeps them open but forwards nothing, `restore()` forwards again."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.mode, self.sockets = target, "open", []
        self.lock, self.stopped = threading.Lock(), threading.Event()
        self.listener = self._listen()
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @staticmethod
    def _listen() -> socket.socket:
        for port in PORTS:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(("127.0.0.1", port))
            except OSError:
                listener.close()
                continue
            listener.listen(16)
            listener.settimeout(0.2)
            return listener
        pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1} for the proxy")

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                continue
            if self.mode == "cut":
                client.close()
                continue
            self._keep(client)
            if self.mode == "open":
                upstream = socket.create_connection(self.target, timeout=5)
                self._keep(upstream)
                threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _keep(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)

    def _pump(self, one: socket.socket, other: socket.socket) -> None:
        """Forward both ways while open; while hung, read nothing; once cut or stopped, end."""
        pair = {one: other, other: one}
        with contextlib.suppress(OSError, ValueError):
            while not self.stopped.is_set() and self.mode != "cut":
                if self.mode == "hang":
                    time.sleep(0.05)
                    continue
                ready, _, _ = select.select(list(pair), [], [], 0.05)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)

    def _drop_all(self) -> None:
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        self.mode = "cut"
        self._drop_all()

    def hang(self) -> None:
        self.mode = "hang"

    def restore(self) -> None:
        self.mode = "cut"  # end the hung connections first: nothing must ever resume on them
        self._drop_all()
        self.mode = "open"

    def close(self) -> None:
        self.stopped.set()
        self._drop_all()
        self.listener.close()


@pytest.fixture
def link(app, mariadb):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = Link((url.host or "127.0.0.1", url.port or 3306))
    yield proxy
    proxy.close()


@pytest.fixture
def proxied_app(app, link):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(host="127.0.0.1", port=link.port)
    proxied = create_app({"ENV_NAME": "testing", "CACHE_TYPE": "SimpleCache",
                          "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "DB_CONNECT_TIMEOUT": TIMEOUT, "DB_READ_TIMEOUT": TIMEOUT,
                          "DB_WRITE_TIMEOUT": TIMEOUT})
    proxied.test_client_class = PortalClient
    yield proxied
    with proxied.app_context():
        proxied.extensions["sqlalchemy"].engine.dispose()


def timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def assert_unavailable(client):
    response, took = timed_get(client, "/")
    assert response.status_code == 503
    assert took < WITHIN, f"the 503 page took {took:.1f} s"
    assert response.headers["Retry-After"]
    assert page(response).one(data_error_page="503")
    health, took = timed_get(client, "/healthz")
    assert health.status_code == 503
    assert health.get_json()["failing"] == ["database"]
    assert took < WITHIN
    live, took = timed_get(client, "/livez")
    assert live.status_code == 200
    assert took < 2  # no database on its way: at once, even on a busy machine


def assert_recovered(client):
    response, _ = timed_get(client, "/")
    assert response.status_code == 200  # the first request after the link is back: no restart
    assert client.get("/healthz").status_code == 200


def test_a_cut_then_hung_database_is_a_503_within_the_timeouts_and_the_app_recovers(proxied_app, link,
                                                                                      world):
    client = proxied_app.test_client()
    assert client.login(world.admin.email).status_code == 302
    assert client.get("/").status_code == 200

    link.cut()
    assert_unavailable(client)
    link.restore()
    assert_recovered(client)

    link.hang()
    assert_unavailable(client)
    link.restore()
    assert_recovered(client)
    assert client.get("/callbacks/").status_code == 200


def test_migrations_are_not_cut_short_by_the_request_read_timeout(app, mariadb):
    """Requests stop waiting at DB_READ_TIMEOUT; migrations (an ALTER TABLE may take minutes) connect
    without a read or write timeout."""
    from flask_migrate import upgrade
    from sqlalchemy import event, text
    from sqlalchemy.engine import Engine
    from sqlalchemy.exc import OperationalError

    from portal.extensions import db

    impatient = create_app({"ENV_NAME": "testing", "CACHE_TYPE": "SimpleCache", "DB_READ_TIMEOUT": 0.5,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    read_timeouts = []

    def remember(dbapi_connection, record):
        read_timeouts.append(getattr(dbapi_connection, "_read_timeout", "?"))

    event.listen(Engine, "connect", remember)
    try:
        with impatient.app_context():
            with pytest.raises(OperationalError):  # a request's query: cut at 0.5 s
                db.session.execute(text("SELECT SLEEP(2)"))
            db.session.rollback()
            assert read_timeouts == [0.5]
            upgrade()  # at head already: connects, reads the revision, changes nothing
            db.engine.dispose()
    finally:
        event.remove(Engine, "connect", remember)
    assert read_timeouts[1:] == [None]  # the migration's connection waits as long as it takes

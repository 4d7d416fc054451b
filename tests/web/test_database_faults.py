"""Database faults users understand: a static 503 page (no database, no session needed), a JSON
problem for the API, /healthz naming what fails, /livez untouched, timeouts on every connection.

These run on any stage: a second app points at a MariaDB port where nothing listens (PyMySQL is
installed everywhere), so every query fails as it does when the database is cut. The cut and the
hang through a TCP proxy, and the recovery, are in test_database_proxy.py (MariaDB stage).
"""
import socket
import time

import pytest

from portal import create_app
from portal.config import database_engine_options
from portal.web.errors import RETRY_AFTER_SECONDS
from tests.callbacks.support import add_token
from tests.html import page
from tests.support import PortalClient, QueryCounter

TOKEN = "cbt_faults-token-1234567890"


def closed_port() -> int:
    """A local port with nothing listening (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broken_app(app):
    """The same app, but its database is a MariaDB that is not there."""
    broken = create_app({"ENV_NAME": "testing", "CACHE_TYPE": "SimpleCache",
                         "SQLALCHEMY_DATABASE_URI": f"mysql+pymysql://root@127.0.0.1:{closed_port()}/gone",
                         "DB_CONNECT_TIMEOUT": 1})
    broken.test_client_class = PortalClient
    return broken


def signed_in_on(broken_app, client, world):
    """A client of the broken app holding a real session (signed in while the database was up)."""
    client.login(world.admin.email)
    client.csrf_token("/")  # the session holds a CSRF token from here on
    other = broken_app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def assert_static_503(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    shown = page(response).one(data_error_page="503")
    assert "cannot reach its database" in shown.text
    assert not page(response).find("nav")  # the layout (navigation, user) was never rendered


def test_a_signed_in_user_gets_the_static_503_page_when_the_database_is_gone(broken_app, client, world):
    other = signed_in_on(broken_app, client, world)
    for url in ("/", "/callbacks/", "/policies/", "/appointments/", "/admin/users"):
        started = time.monotonic()
        assert_static_503(other.get(url))
        assert time.monotonic() - started < 3


def test_a_post_while_the_database_is_gone_is_a_503_too(broken_app, client, world):
    other = signed_in_on(broken_app, client, world)
    token = client.csrf_token("/")
    assert_static_503(other.post("/callbacks/new", data={"csrf_token": token}))


def test_a_404_while_the_database_is_gone_still_gets_a_page(broken_app):
    # Signed in, the session is checked against the database first (a 503); anonymous, the
    # 404 page itself must not need the database.
    response = broken_app.test_client().get("/no/such/page")
    assert response.status_code == 404
    assert page(response).one(data_error_page="404")


def test_the_api_answers_a_problem_document_with_retry_after(broken_app, app, world):
    add_token(app, world, TOKEN)
    response = broken_app.test_client().post("/api/v1/callbacks", json={"customer_name": "Anna"},
                                             headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    # The token's rate limit may name a later moment (Flask-Limiter keeps the later of the two).
    assert int(response.headers["Retry-After"]) >= RETRY_AFTER_SECONDS
    assert response.get_json()["status"] == 503
    assert "database" in response.get_json()["detail"]


def test_healthz_names_the_failing_database_and_livez_does_not_care(broken_app):
    client = broken_app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "failing", "checks": {"database": "failing", "cache": "ok"},
                                   "failing": ["database"]}
    assert client.get("/livez").status_code == 200


def test_health_checks_answer_for_themselves_for_a_signed_in_caller_too(broken_app, client, world):
    """A session cookie must not turn /healthz into the 503 page, nor make /livez touch the database."""
    other = signed_in_on(broken_app, client, world)
    assert other.get("/healthz").get_json()["failing"] == ["database"]
    assert other.get("/livez").get_json() == {"status": "alive"}


def test_livez_of_a_signed_in_caller_sends_no_query(app, client, world):
    client.login(world.admin.email)
    with app.app_context(), QueryCounter(app.extensions["sqlalchemy"].engine) as counter:
        assert client.get("/livez").status_code == 200
    assert counter.count == 0


def test_healthz_is_ok_when_both_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "cache": "ok"}


def test_healthz_names_a_failing_cache(app):
    config = {key: app.config[key] for key in ("ENV_NAME", "SQLALCHEMY_DATABASE_URI")}
    no_redis = create_app({**config, "CACHE_TYPE": "portal.cache.backend.tolerant_redis",
                           "CACHE_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"})
    response = no_redis.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["cache"]


def test_livez_touches_neither_database_nor_cache(app, client):
    with app.app_context(), QueryCounter(app.extensions["sqlalchemy"].engine) as counter:
        assert client.get("/livez").get_json() == {"status": "alive"}
    assert counter.count == 0


def test_an_unexpected_error_is_the_static_500_page_without_a_query(app, client, world):
    crashing = create_app({"ENV_NAME": "testing", "CACHE_TYPE": "SimpleCache",
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @crashing.get("/crash")
    def crash():
        raise RuntimeError("boom")

    with crashing.app_context(), QueryCounter(crashing.extensions["sqlalchemy"].engine) as counter:
        response = crashing.test_client().get("/crash")
    assert response.status_code == 500
    assert page(response).one(data_error_page="500")
    assert "boom" not in response.get_data(as_text=True)
    assert counter.count == 0


def test_the_static_page_never_links_off_site(broken_app):
    response = broken_app.test_client().get("//evil.example/x")
    links = page(response).links()
    assert links
    assert not [link for link in links if link.startswith("//") or "://" in link]


def test_mariadb_connections_get_connect_read_and_write_timeouts():
    options = database_engine_options({
        "SQLALCHEMY_DATABASE_URI": "mysql+pymysql://u@h/db", "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DB_CONNECT_TIMEOUT": 2, "DB_READ_TIMEOUT": 7, "DB_WRITE_TIMEOUT": 8})
    assert options["connect_args"] == {"connect_timeout": 2, "read_timeout": 7, "write_timeout": 8}
    assert options["pool_pre_ping"] is True
    sqlite = database_engine_options({"SQLALCHEMY_DATABASE_URI": "sqlite:///x", "DB_CONNECT_TIMEOUT": 2,
                                      "DB_READ_TIMEOUT": 7, "DB_WRITE_TIMEOUT": 8})
    assert "connect_args" not in sqlite  # sqlite3 takes no such arguments


def test_the_timeouts_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DB_READ_TIMEOUT", "3.5")
    monkeypatch.setenv("DATABASE_URL", "mysql+pymysql://u@h/db")
    import importlib

    import portal.config
    config = importlib.reload(portal.config)
    try:
        settings = config.CONFIGS["development"](str(tmp_path))
        assert settings.DB_READ_TIMEOUT == 3.5
        assert settings.DB_CONNECT_TIMEOUT == 5
        monkeypatch.setenv("DB_READ_TIMEOUT", "0")
        with pytest.raises(RuntimeError, match="DB_READ_TIMEOUT"):
            importlib.reload(portal.config)
    finally:
        monkeypatch.delenv("DB_READ_TIMEOUT")
        importlib.reload(portal.config)

"""Fixtures shared by every test.

The suite runs on SQLite with an in-process cache by default. Set TEST_DATABASE_URL to a
MariaDB URL and TEST_REDIS_URL to a Redis URL to run the same tests on the production stack
(.ci/run does both). Tests that need MariaDB, Redis or Chromium are skipped, with the reason,
when those are missing on a developer's machine; under CI=true a missing one fails instead.

pytest-xdist runs the suite in worker processes (gw0, gw1, ...; `-n auto` in pyproject.toml).
Each worker has its own database: a SQLite file of its own, or on MariaDB `<name>_gw0`,
`<name>_gw1`, ... beside the TEST_DATABASE_URL database, created when missing. Each worker, and
each run, has its own Redis key prefix, so workers and runs sharing one Redis db never read or
clear each other's keys. `-n 0` runs everything in one process on the database as given.
"""
import os
import socket
import sqlite3

import pytest
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url

from portal import create_app
from portal.extensions import cache, db
from tests.support import Maker, PortalClient

KEEP_TABLES = {"alembic_version", "notification_event_mappings"}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# "gw0", "gw1", ... in a pytest-xdist worker; None in a serial run (-n 0).
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
# The same for every worker of one run (xdist's run id), different for every run.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getpid())


# Hypothesis: no deadline (a shared 2-core machine is slow at times; a slow example is not a
# failure) and the blob that reproduces a failure. HYPOTHESIS_PROFILE=fuzz runs every property
# test, and the route fuzzer (tests/test_fuzz_routes.py), with a much bigger budget.
settings.register_profile("portal", deadline=None, print_blob=True)
settings.register_profile("fuzz", parent=settings.get_profile("portal"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "portal"))


def require(condition: bool, what: str) -> None:
    """Skip (developer machine) or fail (CI) when a needed service is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available; set it up to run this test")


def tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record) -> None:
    """Test databases are thrown away: SQLite need not wait for the disk at every commit."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


def key_prefix(name: str) -> str:
    """A Redis key prefix of this run and worker: flask-caching's clear() with a prefix deletes
    only the keys under it, so one worker's clean-up never empties another's cache."""
    return f"{name}-{RUN_ID}-{WORKER or 'main'}:"


def worker_database_url(url: str) -> str:
    """TEST_DATABASE_URL as this worker uses it: the database itself in a serial run, else a
    database of the worker's own beside it (`portal_test_gw0`), created when missing."""
    if WORKER is None:
        return url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return url
        stem, suffix = os.path.splitext(parsed.database)
        return parsed.set(database=f"{stem}_{WORKER}{suffix}").render_as_string(hide_password=False)
    name = f"{parsed.database}_{WORKER}"
    server = create_engine(parsed.set(database=None))
    try:
        with server.begin() as connection:
            quoted = connection.dialect.identifier_preparer.quote(name)
            connection.execute(text(f"CREATE DATABASE IF NOT EXISTS {quoted} "
                                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    finally:
        server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def test_config(tmp_path_factory) -> dict:
    if os.environ.get("TEST_DATABASE_URL"):
        database_url = worker_database_url(os.environ["TEST_DATABASE_URL"])
    else:  # a file in a temporary directory of this worker's own
        database_url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    config = {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url}
    redis_url = os.environ.get("TEST_REDIS_URL")
    if redis_url:
        config.update({
            "CACHE_TYPE": "portal.cache.backend.tolerant_redis", "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": key_prefix("portal-test"),
            **limiter_config(redis_url, key_prefix("portal-test-limits")),
        })
    else:
        config.update({"CACHE_TYPE": "SimpleCache", "RATELIMIT_STORAGE_URI": "memory://",
                       "RATELIMIT_STORAGE_OPTIONS": {}})
    return config


def limiter_config(redis_url: str, prefix: str) -> dict:
    """Throttling counters in Redis under a prefix of this run and worker (reset() deletes only it)."""
    return {"RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix.rstrip(":"), "socket_timeout": 0.5,
                                          "socket_connect_timeout": 0.5}}


def reset_throttling(app) -> None:
    """Forget every throttling count of this app (shared storage and the local fallback)."""
    from portal.extensions import limiter

    with app.app_context():
        # Flask-Limiter keeps one storage for the last app it was given: a test that built
        # another app must not leave this one counting in that app's storage.
        if limiter.storage is not app.extensions["limiter_storage"]:
            limiter.init_app(app)
            app.extensions["limiter_storage"] = limiter.storage
        limiter.reset()
        app.extensions["signin_throttle"].reset()


def reset_schema() -> None:
    """Drop whatever a previous run left, then build the schema through the migrations."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "mysql":
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for table in inspect(connection).get_table_names():
            connection.execute(text(f"DROP TABLE {connection.dialect.identifier_preparer.quote(table)}"))
        if connection.dialect.name == "mysql":
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
    upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(test_config(tmp_path_factory))
    app.test_client_class = PortalClient
    with app.app_context():
        reset_schema()
    return app


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's pushed request context: with one pushed, every request of a
    test would share one app context (one db session, one flask-login user in g)."""


@pytest.fixture
def client(app):
    """pytest-flask's client keeps its last request context pushed (`with client:`), which
    makes a second client in the same test share it; a plain client keeps requests apart."""
    return app.test_client()


@pytest.fixture(autouse=True)
def clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            if connection.dialect.name == "mysql":
                connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in KEEP_TABLES:
                    connection.execute(table.delete())
            if connection.dialect.name == "mysql":
                connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
        cache.clear()
    reset_throttling(app)


@pytest.fixture
def make(app):
    return Maker(app)


@pytest.fixture
def world(make):
    return make.world()


@pytest.fixture
def dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def mariadb(dialect):
    """A test that proves something on MariaDB. On a SQLite run it is skipped, in CI too: the
    CI's MariaDB stage runs the same suite with TEST_DATABASE_URL set, and there it runs."""
    if dialect != "mysql":
        pytest.skip("needs MariaDB: set TEST_DATABASE_URL=mysql+pymysql://... (CI's MariaDB stage does)")


@pytest.fixture
def redis_app(app, redis_url):
    """A second app on the same database whose cache is the real Redis (emptied before and after:
    its key prefix is this run's own, so nothing else would ever empty it)."""
    config = {key: app.config[key] for key in ("ENV_NAME", "SQLALCHEMY_DATABASE_URI")}
    redis_app = create_app({**config, "CACHE_TYPE": "portal.cache.backend.tolerant_redis",
                            "CACHE_REDIS_URL": redis_url,
                            "CACHE_KEY_PREFIX": key_prefix("portal-test-redis")})
    redis_app.test_client_class = PortalClient
    with redis_app.app_context():
        cache.clear()
    yield redis_app
    with redis_app.app_context():
        cache.clear()


@pytest.fixture
def redis_url(app):
    """A real Redis for tests about the production cache."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    require(tcp_open("127.0.0.1", 6379) or "TEST_REDIS_URL" in os.environ, "Redis at 127.0.0.1:6379")
    return url

"""Shared pieces of the benchmarks (not part of the default test run)."""
import logging
import os
import statistics
import tempfile
import time
from contextlib import contextmanager

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import create_app

MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"


def fresh_database(engine: str, name: str) -> str:
    """URL of a new, empty database: a temp SQLite file or a recreated MariaDB schema."""
    if engine == "sqlite":
        return "sqlite:///" + os.path.join(tempfile.mkdtemp(), f"{name}.sqlite3")
    server = create_engine(MARIADB_URL.format(name=""))
    with server.begin() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    server.dispose()
    return MARIADB_URL.format(name=name)


def drop_database(engine: str, name: str) -> None:
    if engine == "mysql" or engine == "mariadb":
        server = create_engine(MARIADB_URL.format(name=""))
        with server.begin() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        server.dispose()


def bench_app(database_url: str, redis_url: str | None):
    """The portal on the bench database (migrated), caching in Redis when given."""
    # The bulk build of the 1M size runs single statements for minutes: no request read timeout.
    config = {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
              "DB_READ_TIMEOUT": 3600, "DB_WRITE_TIMEOUT": 3600}
    if redis_url:
        config.update({"CACHE_TYPE": "portal.cache.backend.tolerant_redis", "CACHE_REDIS_URL": redis_url,
                       "CACHE_KEY_PREFIX": "portal-bench:"})
    else:
        config["CACHE_TYPE"] = "SimpleCache"
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def timed(fn, repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@contextmanager
def quiet_logs():
    previous = logging.root.level
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logging.root.setLevel(previous)

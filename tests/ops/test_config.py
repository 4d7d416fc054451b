"""Configuration: engines, cache backends and the production secret."""
import logging
import time

import pytest

from portal import create_app
from portal.cache.backend import TolerantRedisCache, redis_client
from portal.config import ProductionConfig, _database_url


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert ProductionConfig(str(tmp_path)).SECRET_KEY == "x" * 40


def test_database_url_selects_pymysql_with_utf8mb4(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@127.0.0.1/portal")
    assert _database_url("sqlite://") == "mysql+pymysql://root@127.0.0.1/portal?charset=utf8mb4"


def test_default_is_sqlite_in_instance_and_in_process_cache(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/portal.sqlite3")
    assert app.config["CACHE_TYPE"] == "SimpleCache"
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_redis_url_selects_the_tolerant_redis_cache_with_short_timeouts(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    app = create_app()
    from portal.extensions import cache
    backend = app.extensions["cache"][cache]
    assert isinstance(backend, TolerantRedisCache)
    pool = backend._write_client.connection_pool.connection_kwargs
    assert pool["socket_timeout"] <= 0.5
    assert pool["socket_connect_timeout"] <= 0.5


def test_a_dead_redis_is_a_cache_miss_and_a_warning_not_an_error(caplog):
    # Nothing listens on port 1: every call fails at once, as with a stopped server.
    backend = TolerantRedisCache(host=redis_client("redis://127.0.0.1:1/0"))
    with caplog.at_level(logging.WARNING, logger="portal.cache.backend"):
        started = time.monotonic()
        assert backend.set("k", 1) is False
        assert backend.get("k") is None
        assert time.monotonic() - started < 0.5
    assert "Redis cache unavailable" in caplog.text

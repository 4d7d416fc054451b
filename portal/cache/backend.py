"""A Redis cache that degrades to "no cache" instead of failing a request.

Effective configs are only ever a copy of what the database holds, so when Redis is down or
hanging the right answer is to read the database, log a warning, and stop asking Redis for a
few seconds (so a hanging server costs one short socket timeout, not one per lookup).
"""
import logging
import time

import redis
from flask_caching.backends.rediscache import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from portal.cache.serializer import JSONSerializer

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class TolerantRedisCache(RedisCache):
    """RedisCache whose failures become cache misses plus a logged warning; values are JSON."""

    serializer = JSONSerializer()  # type: ignore[assignment]  # cachelib types it as its pickle one
    _down_until = 0.0

    def _guarded(self, operation, fallback, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return operation(*args, **kwargs)
        except (RedisError, OSError) as exc:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            log.warning("Redis cache unavailable (%s); reading from the database", exc)
            return fallback

    def get(self, key):
        return self._guarded(super().get, None, key)

    def get_many(self, *keys):
        return self._guarded(super().get_many, [None] * len(keys), *keys)

    def set(self, key, value, timeout=None):
        return self._guarded(super().set, False, key, value, timeout)

    def add(self, key, value, timeout=None):
        return self._guarded(super().add, False, key, value, timeout)

    def set_many(self, mapping, timeout=None):
        return self._guarded(super().set_many, [], mapping, timeout)

    def delete(self, key):
        return self._guarded(super().delete, False, key)

    def delete_many(self, *keys):
        return self._guarded(super().delete_many, [], *keys)

    def has(self, key):
        return self._guarded(super().has, False, key)

    def inc(self, key, delta=1):
        return self._guarded(super().inc, None, key, delta)

    def clear(self):
        return self._guarded(super().clear, False)


def redis_client(url: str, timeout: float = 0.25) -> redis.Redis:
    """A client that gives up fast: short socket timeouts and no retries with backoff
    (redis-py retries a failed connection three times by default, seconds per lookup)."""
    return redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                          retry=Retry(NoBackoff(), 0))


def tolerant_redis(app, config, args, kwargs):
    """Flask-Caching factory for CACHE_TYPE = "portal.cache.backend.tolerant_redis"."""
    timeout = config.get("CACHE_REDIS_TIMEOUT", 0.25)
    return TolerantRedisCache(
        host=redis_client(config["CACHE_REDIS_URL"], timeout),
        default_timeout=kwargs.get("default_timeout", 300),
        key_prefix=config.get("CACHE_KEY_PREFIX", "portal:"),
    )

"""A Redis cache that degrades to "no cache" instead of failing a request.

Effective configs are only ever a copy of what the database holds, so when Redis is down or
hanging the right answer is to read the database, log a warning, and stop asking Redis for a
few seconds (so a hanging server costs one short socket timeout, not one per lookup).
"""
import logging
import time

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class TolerantRedisCache(RedisCache):
    """RedisCache whose failures become cache misses plus a logged warning."""

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


def tolerant_redis(app, config, args, kwargs):
    """Flask-Caching factory for CACHE_TYPE = "portal.cache.tolerant_redis"."""
    return TolerantRedisCache.factory(app, config, args, kwargs)

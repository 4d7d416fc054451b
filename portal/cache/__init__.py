"""All caching: the tolerant Redis backend, JSON values, keys carrying the company's
configuration generation, and the one listener that retires cached values when configuration
changes.

- `backend`: a Redis cache whose failures are cache misses (pages never fail on Redis).
- `serializer` + `codec`: every value is stored as JSON and read back as its type; nothing in
  the cache path is ever unpickled.
- `generation`: `cached(company_id, name, kind, produce)` reads through keys with the generation.
- `process`: the decoded values that each process keeps in front of the cache (`in_process=True`):
  a key with the generation names one value for good.
- `invalidation`: bumps the generation in the same transaction as every configuration change.
- `callback_changes`: values worked out from a company's callbacks (the queue's counts), kept
  until a commit changes one of its callbacks.
"""
from portal.cache.callback_changes import register as register_callback_changes
from portal.cache.generation import TTL_SECONDS, cached, cached_each, generation, remember_generation
from portal.cache.invalidation import register as register_invalidation
from portal.cache.serializer import use_json
from portal.extensions import cache


def register(app) -> None:
    """Store JSON in whichever backend the app uses; bump generations on configuration changes and
    the callback counters on callback changes."""
    use_json(app.extensions["cache"][cache])
    register_invalidation(app)
    register_callback_changes(app)


__all__ = ["TTL_SECONDS", "cached", "cached_each", "generation", "register", "remember_generation"]

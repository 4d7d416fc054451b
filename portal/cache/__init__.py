"""All caching: the tolerant Redis backend, keys carrying the company's configuration
generation, and the one listener that retires cached values when configuration changes.

- `backend`: a Redis cache whose failures are cache misses (pages never fail on Redis).
- `generation`: `cached(company_id, name, produce)` reads through keys with the generation.
- `invalidation`: bumps the generation in the same transaction as every configuration change.
"""
from portal.cache.generation import TTL_SECONDS, cached, generation
from portal.cache.invalidation import register

__all__ = ["TTL_SECONDS", "cached", "generation", "register"]

"""Reading through the cache with keys that carry the company's config generation.

The generation lives in `companies.config_generation` and is bumped in the same transaction as
every configuration or hierarchy change (portal/cache/invalidation.py), so a key built from the current
generation can never name a stale value, on any app machine.
"""
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from portal.extensions import cache, db
from portal.models import Company

TTL_SECONDS = 300
_MISS = object()


def generation(company_id: int) -> int:
    """The company's current configuration generation, read from the database."""
    return db.session.scalar(select(Company.config_generation).where(Company.id == company_id)) or 0


def cached(company_id: int, name: str, produce: Callable[[], Any]) -> Any:
    """`produce()`'s result, cached under (company, generation, name)."""
    key = f"cfg:{company_id}:{generation(company_id)}:{name}"
    value = cache.get(key)
    if value is None:
        value = produce()
        cache.set(key, (value,), timeout=TTL_SECONDS)
        return value
    return value[0]  # stored wrapped, so a legitimately cached None is still a hit

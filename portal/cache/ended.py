"""Totals of periods that have ended (a day of completed callbacks, a month of modifications).

They are final: a callback is completed, and a modification made, only at the moment it happens,
so nothing is ever added to a period that is over. Pages count the current period on every view
and keep the ended ones here for an hour, as pairs of numbers under keys the caller names (company,
scope, filters and period: no configuration generation, since no configuration changes them).
"""
from collections.abc import Sequence

from portal.extensions import cache

ENDED_SECONDS = 60 * 60


def kept_pairs(keys: Sequence[str]) -> dict[str, tuple]:
    """The pairs kept under those of `keys` that hold one (one round trip)."""
    if not keys:
        return {}
    found = zip(keys, cache.get_many(*keys), strict=True)
    return {key: (value[0], value[1]) for key, value in found if isinstance(value, list) and len(value) == 2}


def keep_pairs(pairs: dict[str, tuple]) -> None:
    """Keep these ended periods' pairs (JSON: numbers, or Decimals written as text by the caller)."""
    if pairs:
        cache.set_many({key: list(pair) for key, pair in pairs.items()}, timeout=ENDED_SECONDS)

"""Reading through the cache with keys that carry the company's config generation.

The generation lives in `companies.config_generation` and is bumped in the same transaction as
every configuration or hierarchy change (portal/cache/invalidation.py), so a key built from the current
generation can never name a stale value, on any app machine.

Values are stored as JSON (portal/cache/codec.py) and read back as the type the caller names.
The key carries the storage format, so a value written in another format (the pickles of
earlier releases) is never found, and data that does not fit the type is a miss. Values that
every request asks for can be kept decoded in the process as well (`in_process`, see
portal/cache/process.py).
"""
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select

from portal.cache.codec import CodecError, decode, encode
from portal.cache.invalidation import CHANGING, MEMO
from portal.cache.process import MISSING, process_values
from portal.extensions import cache, db
from portal.models import Company

TTL_SECONDS = 300
FORMAT = "j1"  # JSON through portal.cache.codec; change it when an encoding changes
T = TypeVar("T")
log = logging.getLogger(__name__)




def generation(company_id: int) -> int:
    """The company's current configuration generation, read from the database once per
    transaction of the session (a page asking for several cached values reads it once); a flush
    that bumps it, a commit and a rollback forget it (portal/cache/invalidation.py)."""
    memo = db.session.info.setdefault(MEMO, {})
    if company_id not in memo:
        memo[company_id] = db.session.scalar(
            select(Company.config_generation).where(Company.id == company_id)) or 0
    return memo[company_id]


def remember_generation(company_id: int, value: int) -> None:
    """The generation as read with the company row in this transaction (spares `generation` its
    query); a value remembered already is kept."""
    db.session.info.setdefault(MEMO, {}).setdefault(company_id, value)


def cache_key(company_id: int, name: str) -> str:
    """The key of `name` for the company's current generation."""
    return f"cfg:{FORMAT}:{company_id}:{generation(company_id)}:{name}"


def cached(company_id: int, name: str, kind: Any, produce: Callable[[], T], in_process: bool = False) -> T:
    """`produce()`'s result of type `kind`, cached under (format, company, generation, name).

    `in_process`: keep it in this process for later requests too (portal/cache/process.py): the
    next request of the same generation neither asks the cache nor decodes. Only for values no
    reader changes: the askers share the one object.
    A transaction that has changed the configuration and not yet committed gets `produce()`'s
    result, kept nowhere."""
    if db.session.info.get(CHANGING):
        return produce()
    key = cache_key(company_id, name)
    if not in_process:
        return _read_through(key, name, kind, produce)
    return process_values(TTL_SECONDS).kept(key, lambda: _read_through(key, name, kind, produce))


def shared_memo(company_id: int, name: str) -> dict:
    """A dict that this process's requests share while the company's generation stays: for
    results worked out from cached values (the effective policy of each path), each worked out
    once. Only for results no reader changes. (A fresh one, kept nowhere, for a transaction
    that has changed the configuration.)"""
    if db.session.info.get(CHANGING):
        return {}
    return process_values(TTL_SECONDS).kept(cache_key(company_id, name), dict)


def _read_through(key: str, name: str, kind: Any, produce: Callable[[], T]) -> T:
    stored = cache.get(key)
    if isinstance(stored, dict) and "value" in stored:  # wrapped: a cached None is still a hit
        try:
            return decode(kind, stored["value"])
        except CodecError as problem:
            log.warning("Cached %s does not read as %s (%s); recomputed", name, kind, problem)
    value = produce()
    cache.set(key, {"value": encode(value)}, timeout=TTL_SECONDS)
    return value


def cached_each(company_id: int, producers: dict[str, Callable[[], T]], kind: Any,
                in_process: bool = False) -> dict[str, T]:
    """Several values of type `kind` by name, as `cached` reads one, in one round trip: those
    found are decoded, the others produced and stored together. `in_process` as for `cached`."""
    if db.session.info.get(CHANGING):
        return {name: produce() for name, produce in producers.items()}
    keys = {name: cache_key(company_id, name) for name in producers}
    values = process_values(TTL_SECONDS) if in_process else None
    found: dict[str, T] = {}
    if values is not None:
        found = {name: value for name, value in ((name, values.get(key)) for name, key in keys.items())
                 if value is not MISSING}
    asked = {name: key for name, key in keys.items() if name not in found}
    if asked:
        read = _read_through_each(asked, kind, producers)
        if values is not None:
            for name, value in read.items():
                values.put(keys[name], value)
        found.update(read)
    return {name: found[name] for name in producers}


def _read_through_each(keys: dict[str, str], kind: Any,
                       producers: dict[str, Callable[[], T]]) -> dict[str, T]:
    found: dict[str, T] = {}
    for name, stored in zip(keys, cache.get_many(*keys.values()), strict=True):
        if isinstance(stored, dict) and "value" in stored:
            try:
                found[name] = decode(kind, stored["value"])
            except CodecError as problem:
                log.warning("Cached %s does not read as %s (%s); recomputed", name, kind, problem)
    missing = {name: producers[name]() for name in keys if name not in found}
    if missing:
        cache.set_many({keys[name]: {"value": encode(value)} for name, value in missing.items()},
                       timeout=TTL_SECONDS)
    return found | missing

"""Values kept in this process under their generation key, in front of the shared cache.

A key that carries the company's configuration generation (portal/cache/generation.py) names
one value for good: a change bumps the generation, so the next request asks for another key.
Such a value can therefore be kept by each process as it was decoded, without asking Redis or
decoding it again on every request — a queue page reads four configuration values, and their
round trips and decoding were a tenth of its cost.

Only values that no reader changes are kept here (strings, or structures every asker only
reads): all requests of the process share the one object. At most ENTRIES values, each for
TTL seconds (the shared cache's own lifetime), the least recently used going first; emptying
the cache (`cache.clear()`) empties this process's values too.
"""
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app

from portal.extensions import PROCESS_VALUES

ENTRIES = 256
MISSING = object()


class ProcessValues:
    """A small LRU of values with an expiry, safe for the threads of one process."""

    def __init__(self, entries: int, seconds: float):
        self.entries, self.seconds = entries, seconds
        self._values: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        """The value kept under `key`, or MISSING."""
        with self._lock:
            kept = self._values.get(key)
            if kept is None:
                return MISSING
            if kept[0] <= time.monotonic():
                del self._values[key]
                return MISSING
            self._values.move_to_end(key)
            return kept[1]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + self.seconds, value)
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)

    def kept(self, key: str, make: Callable[[], Any]) -> Any:
        """The value kept under `key`, or `make()`'s, kept from now on."""
        value = self.get(key)
        if value is MISSING:
            value = make()
            self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._values)


def process_values(seconds: float) -> ProcessValues:
    """The current app's values in this process (made on first use; `cache.clear()` drops them)."""
    extensions = current_app.extensions
    values = extensions.get(PROCESS_VALUES)
    if values is None:
        values = extensions.setdefault(PROCESS_VALUES, ProcessValues(ENTRIES, seconds))
    return values

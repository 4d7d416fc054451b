"""The one serializer of every cache backend: JSON text, never pickle.

cachelib's Redis and in-process backends pickle every value but plain integers, and unpickle
whatever a key holds that starts with "!" — so write access to Redis would mean code execution
on the app servers. This serializer writes JSON and reads nothing but JSON: anything else in a
key (an old pickle, garbage) is a cache miss with a logged warning.
"""
import json
import logging
from typing import IO, Any

from cachelib.serializers import BaseSerializer

log = logging.getLogger(__name__)


class JSONSerializer(BaseSerializer):
    """Values as compact UTF-8 JSON; integers stay plain digits, so Redis INCRBY still works."""

    def dumps(self, value: Any, *args: Any, **kwargs: Any) -> bytes:
        # A value that is not JSON is a programming error: raise, never fall back to pickle.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()

    def loads(self, bvalue: Any, *args: Any, **kwargs: Any) -> Any:
        if bvalue is None:
            return None
        try:
            return json.loads(bvalue)
        except (TypeError, ValueError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            log.warning("A cached value is not JSON (%d bytes); treated as a miss", len(bvalue))
            return None

    def dump(self, value: Any, f: IO[bytes], *args: Any, **kwargs: Any) -> None:
        f.write(self.dumps(value))

    def load(self, f: IO[bytes], *args: Any, **kwargs: Any) -> Any:
        return self.loads(f.read())


def use_json(backend: Any) -> None:
    """Make `backend` (a cachelib cache) store JSON; refuse one that cannot take a serializer."""
    if not hasattr(backend, "serializer"):
        raise RuntimeError(f"{type(backend).__name__} has no serializer: the portal caches JSON only")
    backend.serializer = JSONSerializer()

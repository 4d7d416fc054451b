"""Routes of the callbacks area."""
from . import bp  # noqa: F401

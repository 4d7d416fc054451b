"""Routes of the appointments area."""
from . import bp  # noqa: F401

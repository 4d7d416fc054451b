"""Sign-in throttling: too many failures for one email from one address locks it for a while.

Counts live in the shared cache (Redis in production), so every app machine sees them.
"""
import hashlib

from flask import current_app

from portal.extensions import cache


def _key(email: str, remote_addr: str | None) -> str:
    digest = hashlib.sha256(f"{email.lower()}|{remote_addr}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def is_locked(email: str, remote_addr: str | None) -> bool:
    failures = cache.get(_key(email, remote_addr)) or 0
    return failures >= current_app.config["LOGIN_MAX_FAILURES"]


def record_failure(email: str, remote_addr: str | None) -> None:
    key = _key(email, remote_addr)
    failures = (cache.get(key) or 0) + 1
    cache.set(key, failures, timeout=current_app.config["LOGIN_LOCK_SECONDS"])


def clear(email: str, remote_addr: str | None) -> None:
    cache.delete(_key(email, remote_addr))

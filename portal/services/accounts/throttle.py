"""Sign-in throttling that holds: atomic counters keyed on the account and the client address.

Every attempt (password, second-factor code, re-authentication) is counted *before* it is
checked, with one atomic operation per limit (a Lua script in Redis, a lock in memory), so 24
attempts at once are 24 counts and exactly the limit of them are evaluated. A success clears
the account's counters, never the address's: an attacker who owns one account cannot reset the
spraying limit by signing into it.

When the shared storage (Redis) cannot be reached, or hangs past its socket timeout, the
throttle fails safe: it logs the fault and counts in this process with stricter limits, and
tries Redis again after RETRY_SECONDS (so a hung Redis costs one timeout, not one per attempt).
"""
import logging
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from portal.extensions import limiter

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0
STORAGE_FAULTS = (RedisError, StorageError, OSError)
# limit name -> config key of its limit (shared storage) and of its stricter local fallback
LIMITS = {
    "account_address": ("LOGIN_LIMIT_ACCOUNT_ADDRESS", "LOGIN_FALLBACK_LIMIT_ACCOUNT_ADDRESS"),
    "address": ("LOGIN_LIMIT_ADDRESS", "LOGIN_FALLBACK_LIMIT_ADDRESS"),
    "account": ("LOGIN_LIMIT_ACCOUNT", "LOGIN_FALLBACK_LIMIT_ACCOUNT"),
}
CLEARED_ON_SUCCESS = ("account_address", "account")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the earliest refused limit admits an attempt again
    refused_by: tuple[str, ...] = ()
    local: bool = False  # counted in this process: the shared storage was unreachable


class SignInThrottle:
    def __init__(self, storage: Storage, limits: Mapping[str, str], fallback: Mapping[str, str]):
        self.shared = MovingWindowRateLimiter(storage)
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.limits = {name: parse(text) for name, text in limits.items()}
        self.fallback = {name: parse(text) for name, text in fallback.items()}
        self.down_until = 0.0
        self.faults = self.reported = 0
        self._lock = threading.Lock()

    @staticmethod
    def _keys(account: str, address: str) -> dict[str, str]:
        return {"account_address": f"{account}|{address}", "address": address, "account": account}

    def admit(self, account: str, address: str) -> Verdict:
        """Count one attempt of `account` from `address`; allowed only if every limit admits it."""
        if time.monotonic() >= self.down_until:
            try:
                return self._count(self.shared, self.limits, account, address, local=False)
            except STORAGE_FAULTS as fault:
                self._storage_failed(fault)
        return self._count(self.local, self.fallback, account, address, local=True)

    def succeeded(self, account: str, address: str) -> None:
        """The attempt proved the credentials: forget the account's failures (not the address's)."""
        keys = self._keys(account, address)
        for name in CLEARED_ON_SUCCESS:
            self.local.clear(self.fallback[name], "signin", name, keys[name])
            if time.monotonic() >= self.down_until:
                try:
                    self.shared.clear(self.limits[name], "signin", name, keys[name])
                except STORAGE_FAULTS as fault:
                    self._storage_failed(fault)

    def take_fault_report(self) -> bool:
        """True once for each storage fault not reported yet (for the security event log)."""
        with self._lock:
            unreported, self.reported = self.faults > self.reported, self.faults
        return unreported

    def reset(self) -> None:
        """Forget every count, shared and local, and every fault (tests)."""
        self.shared.storage.reset()
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.down_until, self.faults, self.reported = 0.0, 0, 0

    def _count(self, strategy, limits, account: str, address: str, local: bool) -> Verdict:
        refused = []
        for name, key in self._keys(account, address).items():
            if not strategy.hit(limits[name], "signin", name, key):
                refused.append((name, key))
        if not refused:
            return Verdict(True, local=local)
        waits = [strategy.get_window_stats(limits[name], "signin", name, key).reset_time - time.time()
                 for name, key in refused]
        return Verdict(False, max(1, math.ceil(max(waits))), tuple(name for name, _ in refused), local)

    def _storage_failed(self, fault: Exception) -> None:
        with self._lock:
            self.down_until = time.monotonic() + RETRY_SECONDS
            self.faults += 1
        log.error("Sign-in throttle storage unreachable (%s: %s); counting in this process with the "
                  "stricter fallback limits for %.0f s", type(fault).__name__, fault, RETRY_SECONDS)


def register(app) -> None:
    """Build the app's throttle on the storage Flask-Limiter just made for it (Redis or memory)."""
    config = app.config
    app.extensions["signin_throttle"] = SignInThrottle(
        limiter.storage, {name: config[keys[0]] for name, keys in LIMITS.items()},
        {name: config[keys[1]] for name, keys in LIMITS.items()})
    app.extensions["limiter_storage"] = limiter.storage


def sign_in_throttle() -> SignInThrottle:
    """The throttle of the current app."""
    return current_app.extensions["signin_throttle"]

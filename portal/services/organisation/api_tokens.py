"""API tokens of the intake endpoint: created by admins, shown once, stored as SHA-256 hashes."""
import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update

from portal.cache.codec import CodecError, decode, encode
from portal.domain.api_scopes import (
    DECISIONS_FORCE,
    DECISIONS_WRITE,
    DEFAULT_SCOPES,
    check_scopes,
    format_scopes,
    parse_scopes,
)
from portal.extensions import cache, db
from portal.models import ApiToken, User
from portal.services import audit
from portal.services.scope import Scope

PREFIX = "cbt_"
NAME_MAX = 100
# last_used_at is for admins deciding which tokens are still in use; minute precision is plenty
# and spares a write on every request of a busy integration.
USE_RESOLUTION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def scope_problem(problem: str) -> str:
    """The message of a refused scope choice (portal.domain.api_scopes.check_scopes)."""
    if problem == "unknown":
        return _("Unknown scope: pick from the list.")
    if problem == "none":
        return _("Pick at least one scope: what the integration may do.")
    return _("“%(force)s” needs “%(write)s” too.", force=DECISIONS_FORCE, write=DECISIONS_WRITE)


def create_token(user: User, name: str, now: datetime,
                 scopes: list[str] | None = None) -> tuple[ApiToken | None, str | None, str | None]:
    """(token row, the token itself — shown this once, never stored, error message). Without
    `scopes` the token gets the default (callbacks:write)."""
    chosen, problem = check_scopes(list(DEFAULT_SCOPES) if scopes is None else scopes)
    if problem:
        return None, None, scope_problem(problem)
    name = (name or "").strip()
    if not name:
        return None, None, _("Give the token a name, e.g. “Voice agent” or “Website form”.")
    if len(name) > NAME_MAX:
        return None, None, _("The name is too long: %(length)s characters, at most %(maximum)s.",
                             length=len(name), maximum=NAME_MAX)
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(company_id=user.company_id, name=name, token_hash=token_hash(token),
                   hint=token[:len(PREFIX) + 4], created_by=user.id, created_at=now,
                   scopes=format_scopes(chosen))
    db.session.add(row)
    db.session.flush()
    audit.record(user.company_id, user, "create", "api_token", row.id, {}, {"name": name, "hint": row.hint,
                                                                                   "scopes": row.scopes})
    db.session.commit()
    return row, token, None


def revoke_token(user: User, token: ApiToken, now: datetime) -> bool:
    """Revoke once (a conditional update); False when it was revoked already."""
    result = cast(CursorResult, db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id, *Scope.company(user.company_id).where(ApiToken),
                               ApiToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    audit.record(user.company_id, user, "revoke", "api_token", token.id, {}, {"name": token.name})
    db.session.commit()
    forget_token(token)
    return True


@dataclass(frozen=True)
class TokenUse:
    """What an API request knows of its token: read through the cache (a Redis read instead of
    a query on every request), retired the moment the token is revoked."""

    id: int
    company_id: int
    name: str
    scopes: tuple[str, ...]
    last_used_at: datetime | None
    digest: str  # the token's SHA-256, as stored: the cache key

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes)

    def use_is_news(self, now: datetime) -> bool:
        """Whether `now` should be kept as the token's last use (minute resolution)."""
        return self.last_used_at is None or now - self.last_used_at >= USE_RESOLUTION


# A live token is cached this long. Revoking writes a marker in its place (kept longer, and
# never overwritten by a request that read the token just before), so a revoked token is
# refused at once; only when Redis cannot be reached at the moment of revoking may it be
# honoured up to this long.
TOKEN_TTL = 30
REVOKED = "revoked"


def _key(digest: str) -> str:
    return f"api-token:{digest}"


def authenticate(authorization: str | None, now: datetime) -> TokenUse | None:
    """The live token named by an `Authorization: Bearer …` header, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > 100:
        return None
    digest = token_hash(token)
    stored = cache.get(_key(digest))
    if stored == REVOKED:
        return None
    if isinstance(stored, dict):
        try:
            return decode(TokenUse, stored)
        except CodecError:
            pass
    row = db.session.execute(select(ApiToken.id, ApiToken.company_id, ApiToken.name, ApiToken.scopes,
                                    ApiToken.last_used_at)
                             .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))).first()
    if row is None:
        return None
    scopes = tuple(sorted(parse_scopes(row.scopes)))
    use = TokenUse(row.id, row.company_id, row.name, scopes, row.last_used_at, digest)
    cache.add(_key(digest), encode(use), timeout=TOKEN_TTL)  # never over a revocation marker
    return use


def record_use(use: TokenUse, now: datetime) -> None:
    """Keep `now` as the token's last use (unless it was revoked meanwhile) and commit."""
    kept = cast(CursorResult, db.session.execute(
        update(ApiToken).where(ApiToken.id == use.id, ApiToken.revoked_at.is_(None))
        .values(last_used_at=now).execution_options(synchronize_session=False))).rowcount
    db.session.commit()
    if kept:
        cache.set(_key(use.digest), encode(replace(use, last_used_at=now)), timeout=TOKEN_TTL)


def forget_token(token: ApiToken) -> None:
    """After revoking: requests with this token are refused from now on, on every app server."""
    cache.set(_key(token.token_hash), REVOKED, timeout=TOKEN_TTL * 10)

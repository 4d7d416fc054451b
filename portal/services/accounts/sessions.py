"""Sign-in sessions: one row per signed-in browser, idle and absolute time-outs, ending them.

The cookie carries a random token; the row keeps its SHA-256. A session lives while ended_at is
empty, it has been used within the idle time-out and it is younger than the absolute lifetime;
the first request after either time-out ends it (and says why).
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

from sqlalchemy import CursorResult, Select, bindparam, select, update
from sqlalchemy.orm import joinedload

from portal.domain.clock import whole_seconds
from portal.extensions import db
from portal.models import User, UserSession
from portal.services.accounts import events
from portal.services.accounts.events import Client

# last_seen_at is written at most this often: enough for an idle time-out of minutes, and no
# write on every request.
TOUCH_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_config(cls, config) -> "Lifetime":
        return cls(timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                   timedelta(hours=config["SESSION_LIFETIME_HOURS"]))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(user: User, client: Client, now: datetime) -> tuple[str, UserSession]:
    """A new session for `user` (the caller commits); the token is for the cookie only."""
    token, now = secrets.token_urlsafe(32), whole_seconds(now)
    row = UserSession(user_id=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now,
                      authenticated_at=now, ip=client.address, user_agent=client.user_agent)
    db.session.add(row)
    db.session.flush()
    user.attach_session(token)
    return token, row


def expiry_reason(row: UserSession, now: datetime, lifetime: Lifetime) -> str | None:
    """'expired' past the absolute lifetime, 'idle' past the idle time-out, else None."""
    if now - row.created_at >= lifetime.absolute:
        return "expired"
    if now - row.last_seen_at >= lifetime.idle:
        return "idle"
    return None


@lru_cache(maxsize=1)
def _session_with_user() -> Select:
    """The session of a token hash with its user, their company and branch: every page's header
    names them (one statement). Built once: every signed-in request runs it, and a statement is
    immutable (building this one cost a few hundred µs)."""
    user = joinedload(UserSession.user)
    return (select(UserSession).options(user.joinedload(User.company), user.joinedload(User.branch))
            .where(UserSession.token_hash == bindparam("token_hash")))


def live_session(token: str, now: datetime, lifetime: Lifetime,
                 client: Client) -> tuple[UserSession | None, str | None]:
    """(the live session the token names, None) — or (None, why it just ended) — or (None, None)."""
    if not token or len(token) > 100:
        return None, None
    row = db.session.scalar(_session_with_user(), {"token_hash": token_hash(token)})
    if row is None or row.ended_at is not None:
        return None, None
    reason = expiry_reason(row, now, lifetime)
    if reason is not None:
        _end(row.id, reason, now)
        events.record("session_expired", client, now, user=row.user, session_id=row.id,
                      detail="idle time-out" if reason == "idle" else "absolute lifetime reached")
        db.session.commit()
        return None, reason
    if now - row.last_seen_at >= TOUCH_RESOLUTION:
        row.last_seen_at = whole_seconds(now)
        db.session.commit()  # at the start of the request: nothing else is pending yet
    return row, None


def _end(session_id: int, reason: str, now: datetime, user_id: int | None = None) -> bool:
    criteria = [UserSession.id == session_id, UserSession.ended_at.is_(None)]
    if user_id is not None:
        criteria.append(UserSession.user_id == user_id)
    result = cast(CursorResult, db.session.execute(
        update(UserSession).where(*criteria).values(ended_at=whole_seconds(now), end_reason=reason)
        .execution_options(synchronize_session="fetch")))
    return result.rowcount == 1


def end_session(user: User, session_id: int, reason: str, client: Client, now: datetime) -> bool:
    """End one live session of `user` (False: not theirs, or already ended). Commits."""
    if not _end(session_id, reason, now, user.id):
        db.session.rollback()
        return False
    kind = "signed_out" if reason == "signed_out" else "session_ended"
    events.record(kind, client, now, user=user, session_id=session_id)
    db.session.commit()
    return True


def end_other_sessions(user: User, keep_id: int, reason: str, client: Client, now: datetime) -> int:
    """End every live session of `user` except `keep_id`; how many ended. Commits."""
    result = cast(CursorResult, db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id, UserSession.id != keep_id,
                                  UserSession.ended_at.is_(None))
        .values(ended_at=whole_seconds(now), end_reason=reason)
        .execution_options(synchronize_session="fetch")))
    if result.rowcount:
        events.record("session_ended", client, now, user=user, session_id=keep_id,
                      detail=f"{result.rowcount} other session(s) ended ({reason})")
    db.session.commit()
    return result.rowcount


def live_sessions(user: User, now: datetime, lifetime: Lifetime) -> list[UserSession]:
    """The user's sessions that are still live, most recently used first."""
    rows = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())).all()
    return [row for row in rows if expiry_reason(row, now, lifetime) is None]


def recently_authenticated(row: UserSession, now: datetime, window: timedelta) -> bool:
    return now - row.authenticated_at < window


def mark_authenticated(row: UserSession, now: datetime) -> None:
    row.authenticated_at = whole_seconds(now)

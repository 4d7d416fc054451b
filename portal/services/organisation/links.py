"""One-time links: a new user sets a first password, a reset sets a new one (DESIGN §9).

A link is a random token, shown once to whoever issued it (the admin's page, the CLI); only its
SHA-256 is stored. It works once (redeeming it is a conditional UPDATE, so two tabs cannot both
use it), for 24 h (a new account) or 1 h (a reset), and a newer link of the same user retires
every older one.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, select, update

from portal.domain.passwords import password_problems
from portal.extensions import db
from portal.models import PasswordLink, User
from portal.services import audit
from portal.services.organisation.api_tokens import token_hash
from portal.services.scope import Scope

LIFETIMES = {"welcome": timedelta(hours=24), "reset": timedelta(hours=1)}
TOKEN_MAX = 100


@dataclass(frozen=True)
class LinkState:
    """What a link is worth right now; `problem` says why it cannot be used (None: it can)."""

    link: PasswordLink | None
    problem: str | None

    @property
    def user(self) -> User | None:
        return self.link.user if self.link else None


def issue_link(user: User, purpose: str, actor: User | None, now: datetime) -> str:
    """A new link for `user` (added to the session, committed by the caller); older ones retire."""
    db.session.execute(update(PasswordLink).where(
        *Scope.company(user.company_id).where(PasswordLink), PasswordLink.user_id == user.id,
        PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(expires_at=now).execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(32)
    link = PasswordLink(company_id=user.company_id, user_id=user.id, purpose=purpose,
                        token_hash=token_hash(token), created_by_id=actor.id if actor else None,
                        created_at=now, expires_at=now + LIFETIMES[purpose])
    db.session.add(link)
    audit.record(user.company_id, actor, f"issue_{purpose}_link", "user", user.id, {},
                 {"expires_at": link.expires_at.isoformat(timespec="minutes") + "Z"})
    return token


def link_state(token: str, now: datetime) -> LinkState:
    """The link a token names and whether it can still be used."""
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        return LinkState(None, "This link is not valid. Ask your admin for a new one.")
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == token_hash(token)))
    if link is None:
        return LinkState(None, "This link is not valid. Ask your admin for a new one.")
    if link.used_at is not None:
        return LinkState(link, "This link was used already. Sign in with your password, or ask your "
                               "admin for a new link.")
    if now >= link.expires_at:
        return LinkState(link, "This link has expired or a newer one was sent. Ask your admin for a "
                               "new link.")
    if not link.user.is_active:
        return LinkState(link, "This account is deactivated. Ask your admin.")
    return LinkState(link, None)


def redeem_link(token: str, password: str, confirmation: str, now: datetime) -> tuple[User | None, list[str]]:
    """Set the password through the link: (the user, []) or (None, messages). Every session the
    user had ends; the link cannot be used again."""
    state = link_state(token, now)
    if state.problem or state.link is None:
        return None, [state.problem or "This link is not valid."]
    user = state.link.user
    problems = password_problems(password, email=user.email, name=user.name)
    if password != confirmation:
        problems.append("The two passwords differ; type the same password twice.")
    if problems:
        return None, problems
    used = cast(CursorResult, db.session.execute(
        update(PasswordLink).where(PasswordLink.id == state.link.id, PasswordLink.used_at.is_(None),
                                   PasswordLink.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)))
    if used.rowcount != 1:
        db.session.rollback()
        return None, ["This link was used already. Sign in with your password."]
    user.set_password(password)
    user.end_sessions()
    audit.record(user.company_id, user, "set_password", "user", user.id, {}, {"through": state.link.purpose})
    db.session.commit()
    return user, []

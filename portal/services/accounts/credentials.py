"""Proving who one is again: changing one's password, and re-authenticating for a sensitive action."""
from datetime import datetime

from flask_babel import gettext as _

from portal.domain.clock import whole_seconds
from portal.domain.passwords import password_problems
from portal.extensions import db
from portal.models import User, UserSession
from portal.services.accounts import events, mfa, sessions
from portal.services.accounts.events import Client


def change_password(user: User, session: UserSession, current: str, new: str, client: Client,
                    now: datetime) -> dict[str, list[str]]:
    """Set a new password (the current one proves it is the user); every other session ends.

    Errors by field name; an empty dict means it was changed (and committed)."""
    if not user.check_password(current or ""):
        return {"current_password": [_("This is not your current password.")]}
    problems = password_problems(new or "", email=user.email, name=user.name)
    if not problems and new == current:
        problems = [_("Choose a password different from the current one.")]
    if problems:
        return {"new_password": problems}
    user.set_password(new)
    user.password_changed_at = whole_seconds(now)
    sessions.mark_authenticated(session, now)
    events.record("password_changed", client, now, user=user, session_id=session.id)
    sessions.end_other_sessions(user, session.id, "password_changed", client, now)  # commits
    return {}


def reauthenticate(user: User, session: UserSession, secret: str, client: Client, now: datetime) -> bool:
    """The password, or a current authenticator code, marks the session as recently authenticated.
    Records the outcome; commits."""
    secret = secret or ""
    if user.has_mfa and mfa.CODE.match(mfa.clean_code(secret)):
        proven = mfa.verify_code(user, secret, now)
    else:
        proven = user.check_password(secret)
    if proven:
        sessions.mark_authenticated(session, now)
    events.record("reauthenticated" if proven else "reauth_failed", client, now, user=user,
                  session_id=session.id)
    db.session.commit()
    return proven

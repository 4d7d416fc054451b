"""Helpers for the account tests: sessions made directly, a fake clock, codes of a user's app."""
import secrets
from datetime import timedelta

import pyotp

from portal.extensions import db
from portal.models import User, UserSession, utcnow
from portal.services.accounts.sessions import token_hash


def add_session(app, user, token: str = "", **kw):
    """A live session row of `user` (another browser), as stored; its id."""
    with app.app_context():
        now = utcnow().replace(microsecond=0)
        row = UserSession(user_id=user.id, token_hash=token_hash(token or secrets.token_hex(16)),
                          created_at=now, last_seen_at=now, authenticated_at=now, ip="198.51.100.7",
                          user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1",
                          **kw)
        db.session.add(row)
        db.session.commit()
        return row.id


class FakeClock:
    """Replaces the request clock (portal.web.security.clock): time moves when the test says so."""

    def __init__(self, monkeypatch):
        self.now = utcnow().replace(microsecond=0)
        monkeypatch.setattr("portal.web.security.clock", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def totp_of(app, user_id: int) -> pyotp.TOTP:
    with app.app_context():
        return pyotp.TOTP(db.session.get(User, user_id).totp_secret)

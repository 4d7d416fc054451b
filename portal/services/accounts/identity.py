"""Who an email typed at sign-in names: one normal form, and the lookup the database makes.

The throttle counts attempts against the account an email finds, not against the text typed, so
every spelling that reaches one account ("Victim@", "ｖictim@", and on MariaDB's accent- and
width-insensitive utf8mb4_unicode_ci also "vìctim@") shares one counter.
"""
import hashlib
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from portal.extensions import db
from portal.models import User

MAX_EMAIL = 255


def normalise_email(email: str) -> str:
    """NFKC (full-width and compatibility forms become plain letters), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


def _storable(text: str) -> bool:
    """Text the database can compare: valid UTF-8 (no lone surrogates), no NUL, within the column."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text and 0 < len(text) <= MAX_EMAIL


def find_account(email: str) -> User | None:
    """The account an email names, compared as the users.email column compares (collation)."""
    folded = normalise_email(email)
    lowered = unicodedata.normalize("NFKC", email or "").strip().lower()
    candidates = {text for text in (folded, lowered) if _storable(text)}
    if not candidates:
        return None
    rows = db.session.scalars(select(User).where(User.email.in_(candidates)).limit(3)).all()
    if len(rows) <= 1:
        return rows[0] if rows else None
    # Only where the database compares exactly (SQLite) can two spellings be two accounts.
    return next((user for user in rows if user.email == lowered), rows[0])


@dataclass(frozen=True)
class Account:
    """The throttle's name for the account an email names (or for the email, if none)."""

    key: str
    user: User | None


def account_for(email: str) -> Account:
    user = find_account(email)
    if user is not None:
        return Account(f"user:{user.id}", user)
    digest = hashlib.sha256(normalise_email(email).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return Account(f"email:{digest}", None)

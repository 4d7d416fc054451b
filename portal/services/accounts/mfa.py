"""TOTP second factor (RFC 6238: 6 digits, 30 s steps) and one-time recovery codes.

A code is accepted in the step before, at, or after now (clock drift of phones), and at most once:
the step of the last accepted code is stored and only a later step is accepted, by a conditional
update, so the same code sent twice at once is accepted once. Recovery codes are random (60 bits),
shown once when made, stored as password hashes and spent by a conditional update.
"""
import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import cast

import pyotp
import segno
from flask_babel import gettext as _
from sqlalchemy import CursorResult, delete, or_, select, update
from werkzeug.security import check_password_hash

from portal.domain.clock import whole_seconds
from portal.extensions import db
from portal.models import RecoveryCode, User
from portal.models.users import hash_password
from portal.services.accounts import events
from portal.services.accounts.events import Client

ISSUER = "Policy Portal"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment URI as an inline SVG QR code (no image request, no script)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#1d2733", light="#ffffff",
                                                 omitsize=True, title=_("QR code for your authenticator app"))


def clean_code(code: str | None) -> str:
    """What people type, without the spaces and dashes apps show between digit groups."""
    return re.sub(r"[\s-]", "", code or "")[:20]


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (before, at or after `now`) whose code is `code`, or None."""
    code = clean_code(code)
    if not CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now.replace(tzinfo=UTC))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _spend_step(user: User, step: int) -> bool:
    result = cast(CursorResult, db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session="fetch")))
    return result.rowcount == 1


def verify_code(user: User, code: str, now: datetime) -> bool:
    """A current authenticator code of `user`, not used before (then it is spent; caller commits)."""
    if not user.has_mfa or not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now)
    return step is not None and _spend_step(user, step)


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _letter in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(user_id=user.id, created_at=whole_seconds(now),
                                    code_hash=hash_password(raw)))
    return codes


def enable(user: User, secret: str, code: str, client: Client, now: datetime) -> list[str] | None:
    """Turn two-step sign-in on with the secret the user scanned, proven by a code from it.
    The recovery codes to show once; None when the code does not match. Commits."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, whole_seconds(now), step
    codes = _new_recovery_codes(user, now)
    events.record("mfa_enrolled", client, now, user=user)
    db.session.commit()
    return codes


def disable(user: User, client: Client, now: datetime) -> None:
    """Turn two-step sign-in off and drop the recovery codes. Commits."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    events.record("mfa_removed", client, now, user=user)
    db.session.commit()


def renew_recovery_codes(user: User, client: Client, now: datetime) -> list[str]:
    """A new set of recovery codes (the old ones stop working). Commits."""
    codes = _new_recovery_codes(user, now)
    events.record("recovery_codes_renewed", client, now, user=user)
    db.session.commit()
    return codes


def use_recovery_code(user: User, code: str, client: Client, now: datetime) -> bool:
    """Spend one unused recovery code of `user` (in place of an authenticator code)."""
    raw = re.sub(r"[^A-Z0-9]", "", (code or "").upper()[:40])
    if len(raw) != 12 or not user.has_mfa:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all()
    for row in unused:
        if check_password_hash(row.code_hash, raw):
            result = cast(CursorResult, db.session.execute(
                update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=whole_seconds(now)).execution_options(synchronize_session="fetch")))
            if result.rowcount != 1:
                return False
            left = len(unused) - 1
            events.record("recovery_code_used", client, now, user=user, detail=f"{left} unused code(s) left")
            return True
    return False


def unused_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())

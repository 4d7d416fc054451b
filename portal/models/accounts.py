"""Account security: sign-in sessions, recovery codes and the security event log."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, utcnow
from portal.models.org import Company
from portal.models.users import User

# Why a session ended, as shown on "My account" and in the security log.
END_REASONS = {
    "signed_out": "signed out",
    "ended": "ended",
    "ended_by_user": "ended from My account",
    "password_changed": "password changed",
    "idle": "idle too long",
    "expired": "reached its maximum lifetime",
}


class UserSession(Model):
    """One signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so
    a copy of the database cannot be replayed as a cookie. A session is live while ended_at is
    empty; idle and absolute time-outs end it on its next request."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    # The last time the person proved who they are in this session (sign-in or re-authentication).
    authenticated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class RecoveryCode(Model):
    """A one-time code that replaces the TOTP code once (lost phone). Stored as a password hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class SecurityEvent(Model):
    """What happened to accounts: sign-ins, failures, lockouts, MFA, sessions, refused pages.

    company_id is empty for events that belong to no company (an unknown email, a storage fault).
    """

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_company_time", "company_id", "created_at"),
        Index("ix_security_events_company_kind_time", "company_id", "kind", "created_at"),
        Index("ix_security_events_user_time", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    detail: Mapped[str] = mapped_column(String(500), default="")
    session_id: Mapped[int | None] = mapped_column(Integer)

    company: Mapped[Company | None] = relationship()
    user: Mapped[User | None] = relationship()

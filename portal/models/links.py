"""One-time links: how a new user sets a first password and how a reset sets a new one."""
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, company_fk, utcnow
from portal.models.users import User

LINK_PURPOSES = ("welcome", "reset")
# The password hash of an account whose first password is still to be set through a link:
# werkzeug's check_password_hash refuses it for every password (it names no hash method).
NO_PASSWORD = "!"


class PasswordLink(Model):
    """A single-use, short-lived link. Only the SHA-256 of its token is stored, so the database
    never holds a usable link; the token itself is shown once, to whoever issued it."""

    __tablename__ = "password_links"
    __table_args__ = (
        Index("ix_password_links_user", "user_id", "used_at"),
        CheckConstraint("purpose IN ('welcome', 'reset')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

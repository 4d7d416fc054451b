"""Sign-in accounts and the audit log."""
import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.models.base import JSONDict, Model, TimestampMixin, company_fk, db, utcnow
from portal.models.org import LANGUAGE_CHECK, Branch, Company, Staff

ROLES = ("admin", "branch_manager", "agent")
ROLE_LABELS = {"admin": _l("Admin"), "branch_manager": _l("Branch manager"), "agent": _l("Support agent")}
# Used where no app is active (e.g. the sign-in view's dummy user, built at import); inside an app
# the config's PASSWORD_HASH_METHOD decides, which is this same scrypt except under testing.
PASSWORD_METHOD = "scrypt"


def hash_password(secret: str) -> str:
    """A salted hash of a password or recovery code, with the configured method."""
    method = PASSWORD_METHOD
    if has_app_context():
        method = current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_METHOD)
    return generate_password_hash(secret, method=method)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(LANGUAGE_CHECK.format(column="language"), name="language_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Rotated whenever every session ends (end_sessions). Sessions themselves are rows of
    # user_sessions; the cookie carries one of their tokens (see portal.models.accounts).
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # TOTP second factor: the base32 secret, set once enrolment is confirmed with a code, and the
    # time step of the last code accepted, so that no code is accepted twice (RFC 6238 §5.2).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # A deactivated user cannot sign in, and a session they still hold is refused on its next
    # request (web/security.py loads active users only). Shadows flask-login's always-True property.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The language the user chose on My account or with the header switch; None follows the
    # company's default_language (portal/web/i18n.py).
    language: Mapped[str | None] = mapped_column(String(2))

    company: Mapped[Company] = relationship()
    branch: Mapped[Branch | None] = relationship()
    staff: Mapped[Staff | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def attach_session(self, token: str) -> None:
        """Name the session this request runs in (by the user loader, or at sign-in). Flask-Login
        stores get_id() in the cookie, so the cookie names one session, not the user."""
        setattr(self, "_session_token", token)  # noqa: B010  (not a column: never stored)

    def get_id(self) -> str:
        return getattr(self, "_session_token", "")

    @property
    def has_mfa(self) -> bool:
        return self.totp_enabled_at is not None

    def end_sessions(self, reason: str = "ended") -> None:
        """End every session of this user now (sign-out everywhere, deactivation, password reset).

        Takes effect with the caller's commit, like any other change of the transaction."""
        from portal.models.accounts import UserSession

        self.session_token = new_session_token()
        if self.id is not None:
            db.session.execute(update(UserSession).where(
                UserSession.user_id == self.id, UserSession.ended_at.is_(None))
                .values(ended_at=utcnow(), end_reason=reason).execution_options(synchronize_session="fetch"))

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        return self.role == "branch_manager"

    @property
    def is_agent(self) -> bool:
        return self.role == "agent"


class AuditEvent(Model):
    """Who changed what: one row per change, with the state before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "company_id", "entity_type", "entity_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict] = mapped_column(JSONDict, default=dict)
    after: Mapped[dict] = mapped_column(JSONDict, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()

"""Sign-in accounts and the audit log."""
import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.models.base import JSONDict, Model, TimestampMixin, company_fk, utcnow
from portal.models.org import Branch, Company, Staff

ROLES = ("admin", "branch_manager", "agent")
ROLE_LABELS = {"admin": "Admin", "branch_manager": "Branch manager", "agent": "Support agent"}
# Used where no app is active (e.g. the sign-in view's dummy user, built at import); inside an app
# the config's PASSWORD_HASH_METHOD decides, which is this same scrypt except under testing.
PASSWORD_METHOD = "scrypt"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The session cookie carries this token, not the user id: rotating it on logout makes
    # every previously issued cookie useless, even one captured before the logout.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A deactivated user cannot sign in, and a session they still hold is refused on its next
    # request (web/security.py loads active users only). Shadows flask-login's always-True property.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    company: Mapped[Company] = relationship()
    branch: Mapped[Branch | None] = relationship()
    staff: Mapped[Staff | None] = relationship()

    def set_password(self, password: str) -> None:
        method = PASSWORD_METHOD
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_METHOD)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return self.session_token

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued to this user so far."""
        self.session_token = new_session_token()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

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

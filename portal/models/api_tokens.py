"""Per-company API tokens for the callback intake endpoint (stored hashed, shown once)."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.api_scopes import DEFAULT_SCOPES, format_scopes, parse_scopes
from portal.models.base import JSONDict, Model, company_fk, utcnow
from portal.models.users import User


class ApiToken(Model):
    """A token the voice agent or the website sends as `Authorization: Bearer …`.

    Only the SHA-256 of the token is stored: a leaked database does not leak usable tokens.
    `hint` keeps the first characters so admins can tell their tokens apart.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Space-separated scopes (portal.domain.api_scopes); tokens from before scopes keep callbacks:write.
    scopes: Mapped[str] = mapped_column(String(255), default=format_scopes(DEFAULT_SCOPES),
                                        server_default=text("'callbacks:write'"), nullable=False)

    creator: Mapped[User | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_set(self) -> frozenset[str]:
        return parse_scopes(self.scopes)


class ApiIdempotencyKey(Model):
    """A write the API answered, by the `Idempotency-Key` the client sent with it: a retry with
    the same key and body gets the stored answer instead of doing the write again."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSONDict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

"""Shared column helpers for the models package."""
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, Numeric, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model, db


def utcnow() -> datetime:
    """Current UTC time as a naive datetime (how both engines store DATETIME)."""
    return datetime.now(UTC).replace(tzinfo=None)


Money = Numeric(10, 2, asdecimal=True)


class JSONDict(TypeDecorator):
    """JSON column that always gives back a dict (never None) to Python code."""

    impl = JSON
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value if value is not None else {}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


def company_fk() -> Mapped[int]:
    """The tenant column every tenant table carries (indexed through composite indexes)."""
    return mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, index=True)


__all__ = ["Decimal", "JSONDict", "Model", "Money", "TimestampMixin", "company_fk", "db", "utcnow"]

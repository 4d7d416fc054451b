"""Counters kept by the database itself, and the intake's per-phone lock rows.

Pages must not count years of closed history on every view. The two counter tables are kept
current by triggers (migration 0008), so every way a row is written — the services, the demo, a
bulk import, a hand-run UPDATE — keeps them exact, in the same transaction:

- callback_closed_counts: closed callbacks (completed, cancelled, expired) per branch, status,
  priority and assignee; closed states are terminal, so a row enters once and never moves.
- callback_closed_totals: the same per branch and status only (migration 0012, kept from
  callback_closed_counts), for the views that filter by neither priority nor assignee.
- modification_totals: modifications and fees per company, branch, UTC day and UTC month, type,
  in/out of policy and charged or not (appointment_modifications is append-only).
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Model, utcnow

CLOSED_STATUSES = ("completed", "expired", "cancelled")
NO_ASSIGNEE = 0  # the assignee of an unassigned callback in the counters (a key part cannot be NULL)


def _company_key() -> Mapped[int]:
    return mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)


class CallbackClosedCount(Model):
    __tablename__ = "callback_closed_counts"

    company_id: Mapped[int] = _company_key()
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    priority: Mapped[str] = mapped_column(String(10), primary_key=True)
    assignee: Mapped[int] = mapped_column(Integer, primary_key=True)  # staff id or NO_ASSIGNEE
    callbacks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CallbackClosedTotal(Model):
    __tablename__ = "callback_closed_totals"

    company_id: Mapped[int] = _company_key()
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    callbacks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ModificationTotal(Model):
    __tablename__ = "modification_totals"

    company_id: Mapped[int] = _company_key()
    span: Mapped[str] = mapped_column(String(5), primary_key=True)  # "day" or "month"
    period: Mapped[date] = mapped_column(Date, primary_key=True)  # the UTC day, or the month's first day
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    modification_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    within_policy: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    charged: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    modifications: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    fees: Mapped[Decimal] = mapped_column(Numeric(14, 2, asdecimal=True), nullable=False, default=0)


class CallbackPhoneLock(Model):
    """One row per (company, phone number) that intake locks, so intakes from one phone run one
    at a time (and merge) while intakes from different phones run side by side."""

    __tablename__ = "callback_phone_locks"

    company_id: Mapped[int] = _company_key()
    phone_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    locked_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

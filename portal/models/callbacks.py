"""Callback requests and their escalations."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import JSONDict, TimestampMixin, company_fk, db
from .org import Branch, Customer, Service, Staff

CALLBACK_STATUSES = ("pending", "assigned", "contacted", "completed", "expired", "cancelled")
OPEN_STATUSES = ("pending", "assigned", "contacted")
PRIORITIES = ("normal", "high", "urgent")
ESCALATION_REASONS = ("sla_breach", "manual_escalation", "multiple_attempts_failed")


class CallbackRequest(TimestampMixin, db.Model):
    __tablename__ = "callback_requests"
    __table_args__ = (
        Index("ix_callback_requests_queue", "company_id", "status", "expires_at", "id"),
        Index("ix_callback_requests_branch_queue", "branch_id", "status", "expires_at"),
        Index("ix_callback_requests_phone", "company_id", "phone_number", "status"),
        Index("ix_callback_requests_assignee", "assigned_to", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    phone_number: Mapped[str] = mapped_column(String(20))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str | None] = mapped_column(String(255))
    preferred_time_window: Mapped[dict] = mapped_column(JSONDict, default=dict)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    contact_attempts: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict] = mapped_column("metadata", JSONDict, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    branch: Mapped[Branch] = relationship()
    service: Mapped[Service | None] = relationship()
    customer: Mapped[Customer | None] = relationship()
    preferred_staff: Mapped[Staff | None] = relationship(foreign_keys=[staff_id])
    assignee: Mapped[Staff | None] = relationship(foreign_keys=[assigned_to])


class CallbackEscalation(TimestampMixin, db.Model):
    __tablename__ = "callback_escalations"
    __table_args__ = (
        Index("ix_callback_escalations_open", "company_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    callback_request_id: Mapped[int] = mapped_column(
        ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True
    )
    escalation_reason: Mapped[str] = mapped_column(String(30))
    escalated_from: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    escalated_to: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    escalated_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_notes: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict] = mapped_column("metadata", JSONDict, default=dict)

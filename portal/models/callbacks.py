"""Callback requests and their escalations."""
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.models.base import JSONDict, Model, TimestampMixin, company_fk
from portal.models.org import Branch, Customer, Service, Staff

CALLBACK_STATUSES = ("pending", "assigned", "contacted", "completed", "expired", "cancelled")
OPEN_STATUSES = ("pending", "assigned", "contacted")
PRIORITIES = ("normal", "high", "urgent")
# Queue order within one deadline: urgent first. Stored beside `priority` so the queue can be
# read in order straight from an index (a CASE expression in ORDER BY cannot use one).
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2}
ESCALATION_REASONS = ("sla_breach", "manual_escalation", "multiple_attempts_failed")


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _rank_default(context) -> int:
    """priority_rank of a Core/ORM insert that did not set it: derived from its priority."""
    return PRIORITY_RANK[context.get_current_parameters().get("priority") or "normal"]


class CallbackRequest(TimestampMixin, Model):
    __tablename__ = "callback_requests"
    __table_args__ = (
        # The queue: one index range per status, already in queue order (see services.callback_queue).
        Index("ix_callback_requests_queue_order", "company_id", "status", "expires_at",
              "priority_rank", "id"),
        Index("ix_callback_requests_branch_queue_order", "branch_id", "status", "expires_at",
              "priority_rank", "id"),
        Index("ix_callback_requests_phone", "company_id", "phone_number", "status"),
        Index("ix_callback_requests_assignee", "assigned_to", "status"),
        # The dashboard's SLA chart: a company's completions of the last days, read from the index.
        Index("ix_callback_requests_completed", "company_id", "status", "completed_at", "expires_at",
              "branch_id"),
        CheckConstraint(" OR ".join(f"(priority = '{name}' AND priority_rank = {rank})"
                                    for name, rank in PRIORITY_RANK.items()),
                        name="priority_rank_matches_priority"),
        CheckConstraint(f"status IN ({_quoted(CALLBACK_STATUSES)})", name="status_known"),
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
    priority_rank: Mapped[int] = mapped_column(SmallInteger, default=_rank_default, nullable=False)
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

    @validates("priority")
    def _keep_rank_in_step(self, key, priority):
        if priority in PRIORITY_RANK:
            self.priority_rank = PRIORITY_RANK[priority]
        return priority


class CallbackEscalation(TimestampMixin, Model):
    """An escalation of a callback; `open_marker` is 1 while unresolved and NULL once resolved.

    The unique key includes it, so the database itself refuses a second unresolved escalation of
    the same reason for a callback (two concurrent sweeps cannot both raise one), while resolved
    ones pile up freely: NULLs never collide. The check keeps the marker and resolved_at in step.
    """

    __tablename__ = "callback_escalations"
    __table_args__ = (
        Index("ix_callback_escalations_open", "company_id", "resolved_at"),
        UniqueConstraint("callback_request_id", "escalation_reason", "open_marker",
                         name="uq_callback_escalations_one_open_per_reason"),
        CheckConstraint("(resolved_at IS NULL AND open_marker = 1) OR "
                        "(resolved_at IS NOT NULL AND open_marker IS NULL)",
                        name="open_marker_matches_resolved_at"),
        CheckConstraint(f"escalation_reason IN ({_quoted(ESCALATION_REASONS)})", name="reason_known"),
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
    open_marker: Mapped[bool | None] = mapped_column(Boolean)

    from_staff: Mapped[Staff | None] = relationship(foreign_keys=[escalated_from])
    to_staff: Mapped[Staff | None] = relationship(foreign_keys=[escalated_to])

    def __init__(self, **kwargs):
        # No column default: an explicit NULL (resolved) must reach the database as NULL.
        kwargs.setdefault("open_marker", None if kwargs.get("resolved_at") else True)
        super().__init__(**kwargs)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

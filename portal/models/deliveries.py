"""The notification outbox: one delivery per event and recipient, and its attempts (DESIGN §11).

A delivery is written in the transaction of the change that causes it; workers claim its attempts
in the database (a conditional UPDATE on status 'due'), so each attempt is made once however many
workers run and whatever the job queue delivers twice.
"""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import JSONDict, Model, TimestampMixin, company_fk

DELIVERY_STATUSES = ("pending", "sent", "failed", "skipped", "cancelled")
ATTEMPT_STATUSES = ("due", "sending", "sent", "failed", "skipped", "cancelled")
ATTEMPT_KINDS = ("first", "retry", "fallback")


class Delivery(TimestampMixin, Model):
    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_company_created", "company_id", "created_at"),
        Index("ix_deliveries_company_status_created", "company_id", "status", "created_at"),
        Index("ix_deliveries_company_branch_created", "company_id", "branch_id", "created_at"),
        # The dashboard's "failed in the last 24 hours" (by the time of the last attempt).
        Index("ix_deliveries_company_status_updated", "company_id", "status", "updated_at"),
        # One planned reminder per (appointment, event): planning again finds it and skips it.
        UniqueConstraint("company_id", "dedupe_key", name="uq_deliveries_company_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    event_type: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    fire_at: Mapped[datetime] = mapped_column(DateTime)  # when its first attempts are due (UTC)
    node_path: Mapped[str] = mapped_column(String(200))  # "company:1/branch:2/service:3/staff:4"
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback_requests.id"), index=True)
    resend_of_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str | None] = mapped_column(String(255))
    recipient_phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    dedupe_key: Mapped[str | None] = mapped_column(String(80))
    # The event's variables, as the template receives them.
    values: Mapped[dict] = mapped_column(JSONDict, default=dict)
    # What the resolver gave at the node: per channel {retry_count, retry_delay_minutes,
    # fallback_channel, template, locked}, and the planned attempts with their times.
    plan: Mapped[dict] = mapped_column(JSONDict, default=dict)

    attempts: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="delivery", order_by="(DeliveryAttempt.due_at, DeliveryAttempt.id)")


class DeliveryAttempt(TimestampMixin, Model):
    __tablename__ = "delivery_attempts"
    __table_args__ = (
        Index("ix_delivery_attempts_status_due", "status", "due_at"),
        Index("ix_delivery_attempts_company_status_finished", "company_id", "status", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    chain: Mapped[str] = mapped_column(String(10))  # the enabled channel this attempt serves
    channel: Mapped[str] = mapped_column(String(10))  # where it goes (the fallback's channel differs)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="due")
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(Text)  # the provider's answer or why it failed
    provider_id: Mapped[str | None] = mapped_column(String(120))
    content: Mapped[str | None] = mapped_column(Text)  # what was sent (subject and text)

    delivery: Mapped[Delivery] = relationship(back_populates="attempts")

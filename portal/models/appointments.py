"""Appointments, their modification log and the rolling-count materialization."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import JSONDict, Model, Money, TimestampMixin, company_fk, utcnow
from portal.models.org import (
    Branch,
    Company,
    Customer,
    Service,
    Staff,
    external_id_column,
    unique_external_id,
)

APPOINTMENT_STATUSES = ("scheduled", "completed", "cancelled", "no_show")
MODIFICATION_TYPES = ("cancel", "reschedule")
STAT_TYPES = ("cancel_30d", "reschedule_30d", "cancel_90d", "reschedule_90d")


class Appointment(TimestampMixin, Model):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_company_starts", "company_id", "starts_at"),
        # The dashboard counts a day's appointments of each status but cancelled from the index alone.
        Index("ix_appointments_company_status_starts", "company_id", "status", "starts_at"),
        Index("ix_appointments_branch_starts", "branch_id", "starts_at"),
        # The following appointments of a series, in order.
        Index("ix_appointments_series_starts", "company_id", "recurring_series_id", "starts_at"),
        unique_external_id("appointments"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    price: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    recurring_series_id: Mapped[str | None] = mapped_column(String(64), index=True)
    external_id: Mapped[str | None] = external_id_column()

    company: Mapped[Company] = relationship()
    branch: Mapped[Branch] = relationship()
    service: Mapped[Service] = relationship()
    staff: Mapped[Staff | None] = relationship()
    customer: Mapped[Customer] = relationship()


class AppointmentModification(Model):
    """Append-only: one row per cancel or reschedule, in or out of policy."""

    __tablename__ = "appointment_modifications"
    __table_args__ = (
        Index("ix_appointment_modifications_customer", "company_id", "customer_id",
              "modification_type", "created_at"),
        Index("ix_appointment_modifications_company_created", "company_id", "created_at"),
        # How often one appointment was moved (the per-appointment reschedule limit).
        Index("ix_appointment_modifications_appointment_type", "appointment_id", "modification_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    modification_type: Mapped[str] = mapped_column(String(20))
    within_policy: Mapped[bool] = mapped_column(Boolean)
    fee_charged: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    reason: Mapped[str | None] = mapped_column(Text)
    modified_by_type: Mapped[str] = mapped_column(String(20))  # user / customer / system
    modified_by_id: Mapped[int | None] = mapped_column(Integer)
    meta: Mapped[dict] = mapped_column("metadata", JSONDict, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AppointmentModificationStat(Model):
    __tablename__ = "appointment_modification_stats"
    __table_args__ = (
        UniqueConstraint("company_id", "customer_id", "stat_type", "period_start",
                         name="uq_modification_stats_period"),
        # The report's "top customers by cancellations" reads this index in order.
        Index("ix_appointment_modification_stats_report", "company_id", "stat_type", "count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    stat_type: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[datetime] = mapped_column(DateTime)
    period_end: Mapped[datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)
    calculated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AppointmentModificationStatTotal(Model):
    """The company's sum of each stat type as of its last refresh, kept by `flask stats refresh`
    so the report reads four rows, however many customers and branches the company has."""

    __tablename__ = "appointment_modification_stat_totals"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    stat_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    calculated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

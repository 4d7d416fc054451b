"""Notification event catalog and hierarchical channel configuration."""
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import JSONDict, Model, TimestampMixin, company_fk

CHANNELS = ("email", "sms", "whatsapp", "push")
EVENT_CATEGORIES = ("booking", "reminder", "modification", "callback", "system")


class NotificationEventMapping(TimestampMixin, Model):
    """The 13 system events; rows arrive with a migration, not a seed script."""

    __tablename__ = "notification_event_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(50), unique=True)
    event_label: Mapped[str] = mapped_column(String(120))
    event_category: Mapped[str] = mapped_column(String(20))
    default_channels: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    is_system_event: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    meta: Mapped[dict] = mapped_column("metadata", JSONDict, default=dict)


class NotificationConfiguration(TimestampMixin, Model):
    __tablename__ = "notification_configurations"
    __table_args__ = (
        UniqueConstraint("company_id", "configurable_type", "configurable_id", "event_type",
                         "channel", name="uq_notification_configurations_cell"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    configurable_type: Mapped[str] = mapped_column(String(20))
    configurable_id: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str] = mapped_column(String(10))
    # Nullable columns mean "not set here, inherit" so resolution can go key by key.
    fallback_channel: Mapped[str | None] = mapped_column(String(10))
    is_enabled: Mapped[bool | None] = mapped_column(Boolean)
    retry_count: Mapped[int | None] = mapped_column(Integer)
    retry_delay_minutes: Mapped[int | None] = mapped_column(Integer)
    template_override: Mapped[str | None] = mapped_column(String(255))
    meta: Mapped[dict] = mapped_column("metadata", JSONDict, default=dict)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __mapper_args__ = {"version_id_col": version}

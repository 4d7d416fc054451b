"""Policy rows: one live row per (configurable, policy_type), soft-deleted history kept."""
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import JSONDict, Model, TimestampMixin, company_fk

CONFIGURABLE_TYPES = ("company", "branch", "service", "staff")


class PolicyConfiguration(TimestampMixin, Model):
    """A policy row at one level of the hierarchy.

    `live` is 1 while the row is live and NULL once soft-deleted. The unique key includes it:
    NULLs never collide, so deleted rows pile up freely while a second live row is refused by
    the database itself on SQLite and MariaDB alike (a unique key over a nullable deleted_at
    would not do that on MySQL). The check constraint keeps `live` and `deleted_at` in step.
    """

    __tablename__ = "policy_configurations"
    __table_args__ = (
        UniqueConstraint("company_id", "configurable_type", "configurable_id", "policy_type",
                         "live", name="uq_policy_configurations_live_row"),
        CheckConstraint("(deleted_at IS NULL AND live = 1) OR (deleted_at IS NOT NULL AND live IS NULL)",
                        name="live_matches_deleted_at"),
        CheckConstraint("configurable_type IN ('company', 'branch', 'service', 'staff')",
                        name="configurable_type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    configurable_type: Mapped[str] = mapped_column(String(20))
    configurable_id: Mapped[int] = mapped_column(Integer)
    policy_type: Mapped[str] = mapped_column(String(30))
    config: Mapped[dict] = mapped_column(JSONDict, default=dict)
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)
    overrides_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_configurations.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    live: Mapped[bool | None] = mapped_column(Boolean)

    __mapper_args__ = {"version_id_col": version}

    def __init__(self, **kwargs):
        # No column default for `live`: an explicit NULL must reach the database as NULL.
        kwargs.setdefault("live", None if kwargs.get("deleted_at") else True)
        super().__init__(**kwargs)

    def soft_delete(self, when) -> None:
        """Retire this row; it stays as history and frees the live slot."""
        self.deleted_at = when
        self.live = None

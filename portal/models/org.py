"""The company hierarchy: companies, branches, services, staff, customers."""
from decimal import Decimal

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, Money, TimestampMixin, company_fk, db
from portal.models.hierarchy_mixin import EffectivePolicyMixin

branch_services = Table(
    "branch_services",
    db.metadata,
    Column("branch_id", ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True, index=True),
)

staff_services = Table(
    "staff_services",
    db.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Company(EffectivePolicyMixin, TimestampMixin, Model):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    default_region: Mapped[str] = mapped_column(String(2), default="DE")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    # Bumped in the same transaction as any change to this company's configuration or
    # hierarchy; part of every cache key, so a cached effective value is never stale.
    config_generation: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    branches: Mapped[list["Branch"]] = relationship(back_populates="company", order_by="Branch.name")

    level = "company"

    def __repr__(self):
        return f"<Company {self.slug}>"


class Branch(EffectivePolicyMixin, TimestampMixin, Model):
    __tablename__ = "branches"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_branches_company_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))

    company: Mapped[Company] = relationship(back_populates="branches")
    services: Mapped[list["Service"]] = relationship(secondary=branch_services, order_by="Service.name")

    level = "branch"


class Service(EffectivePolicyMixin, TimestampMixin, Model):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_services_company_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal | None] = mapped_column(Money)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)

    level = "service"


class Staff(EffectivePolicyMixin, TimestampMixin, Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    branch: Mapped[Branch] = relationship()
    services: Mapped[list[Service]] = relationship(secondary=staff_services, order_by="Service.name")

    level = "staff"


class Customer(TimestampMixin, Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(255))

"""The company hierarchy: companies, branches, services, staff, customers."""
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.organisation import LANGUAGES
from portal.models.base import JSONDict, Model, Money, TimestampMixin, company_fk, db
from portal.models.hierarchy_mixin import EffectivePolicyMixin

LANGUAGE_CHECK = "{column} IN (" + ", ".join(f"'{code}'" for code in LANGUAGES) + ")"

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


def external_id_column() -> Mapped[str | None]:
    """The booking system's id of a record: optional, unique per company and table."""
    return mapped_column(String(100))


def unique_external_id(table: str) -> UniqueConstraint:
    # NULLs never collide (SQLite and MariaDB alike): records without an external id pile up freely.
    return UniqueConstraint("company_id", "external_id", name=f"uq_{table}_company_external_id")


class OrganisationNode(EffectivePolicyMixin, TimestampMixin):
    """What branches, services and staff share: the tenant, a name, the booking system's id, the
    active flag (nothing that carries history is deleted, DESIGN §9) and the version an editor
    saw, so a stale edit is refused (services/organisation/nodes.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = external_id_column()
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    level: str


class Company(EffectivePolicyMixin, TimestampMixin, Model):
    __tablename__ = "companies"
    __table_args__ = (CheckConstraint(LANGUAGE_CHECK.format(column="default_language"),
                                      name="default_language_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    default_region: Mapped[str] = mapped_column(String(2), default="DE")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    # The language of notifications to customers who have none of their own (DESIGN §11, §12).
    default_language: Mapped[str] = mapped_column(String(2), default="de")
    # The From address of its notification emails; None: the portal's MAIL_FROM.
    email_sender: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    # Bumped in the same transaction as any change to this company's configuration or
    # hierarchy; part of every cache key, so a cached effective value is never stale.
    config_generation: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    branches: Mapped[list["Branch"]] = relationship(back_populates="company", order_by="Branch.name")

    level = "company"

    def __repr__(self):
        return f"<Company {self.slug}>"


class Branch(OrganisationNode, Model):
    __tablename__ = "branches"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_branches_company_name"),
                      unique_external_id("branches"))

    city: Mapped[str | None] = mapped_column(String(120))
    # Only where the branch is not in the company's zone (a chain across borders); None: the company's.
    timezone: Mapped[str | None] = mapped_column(String(64))

    company: Mapped[Company] = relationship(back_populates="branches")
    services: Mapped[list["Service"]] = relationship(secondary=branch_services, order_by="Service.name",
                                                     back_populates="branches")

    level = "branch"


class Service(OrganisationNode, Model):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_services_company_name"),
                      unique_external_id("services"))

    price: Mapped[Decimal | None] = mapped_column(Money)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)

    branches: Mapped[list[Branch]] = relationship(secondary=branch_services, order_by="Branch.name",
                                                  back_populates="services")

    level = "service"


class Staff(OrganisationNode, Model):
    __tablename__ = "staff"
    __table_args__ = (unique_external_id("staff"),)

    # None: works for the whole company rather than at one branch (e.g. the support team).
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(255))

    branch: Mapped[Branch | None] = relationship()
    services: Mapped[list[Service]] = relationship(secondary=staff_services, order_by="Service.name")

    level = "staff"


class Customer(TimestampMixin, Model):
    __tablename__ = "customers"
    __table_args__ = (unique_external_id("customers"),
                      CheckConstraint(LANGUAGE_CHECK.format(column="language"), name="language_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = company_fk()
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(255))
    external_id: Mapped[str | None] = external_id_column()
    # None: the company's default language is used (DESIGN §12).
    language: Mapped[str | None] = mapped_column(String(2))
    # Per channel (email, sms, whatsapp, push): True given, False refused, absent never asked.
    # See portal.domain.organisation.may_contact.
    consents: Mapped[dict] = mapped_column(JSONDict, default=dict)

"""Bulk onboarding by CSV: a dry-run preview, then one all-or-nothing transaction.

The rules (reading, matching, what each row would do) are pure: portal/domain/onboarding*.py.
Here: load what the company has (six queries, whatever its size), and apply a plan without
errors — branches first, then services, then staff, one flush per kind, one audit event per
record written plus one for the import, one commit. Anything that fails rolls everything back.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.domain.messages import M_
from portal.domain.onboarding import KINDS, Existing, Plan, PlannedRow, read_csv
from portal.domain.onboarding_plan import plan_digest, plan_import
from portal.extensions import db
from portal.models import Branch, Service, Staff, User, branch_services, staff_services
from portal.services import audit
from portal.services.organisation.nodes import audit_value
from portal.services.scope import Scope

MODELS: dict[str, type[Branch] | type[Service] | type[Staff]] = {
    "branch": Branch, "service": Service, "staff": Staff}


CONCURRENT = M_("Someone saved a branch, service or staff member with a name or external id of this file "
                "while it was being imported; nothing was imported. Check the new preview and apply it "
                "again.")


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    applied: bool
    refusal: str | None = None  # why nothing was written
    stale: bool = False  # the data changed since the preview


def _pairs(left, right, model, company_id: int) -> dict[int, set[int]]:
    """Link-table pairs (owner → others) of the company's records, in one query."""
    links: dict[int, set[int]] = {}
    stmt = select(left, right).join(model, model.id == left).where(*Scope.company(company_id).where(model))
    for owner, other in db.session.execute(stmt):
        links.setdefault(owner, set()).add(other)
    return links


def _rows(model, company_id: int, *columns):
    return db.session.execute(select(model.id, model.name, model.external_id, model.is_active, *columns)
                              .where(*Scope.company(company_id).where(model))).all()


def existing_records(company_id: int) -> list[Existing]:
    """The company's branches, services and staff as the planner compares them (six queries)."""
    offered = _pairs(branch_services.c.service_id, branch_services.c.branch_id, Service, company_id)
    performed = _pairs(staff_services.c.staff_id, staff_services.c.service_id, Staff, company_id)
    records = [Existing("branch", b.id, b.name, b.external_id,
                        {"city": b.city, "timezone": b.timezone, "is_active": b.is_active}, {})
               for b in _rows(Branch, company_id, Branch.city, Branch.timezone)]
    records += [Existing("service", s.id, s.name, s.external_id,
                         {"price": s.price, "duration_minutes": s.duration_minutes, "is_active": s.is_active},
                         {"branches": frozenset(offered.get(s.id, ()))})
                for s in _rows(Service, company_id, Service.price, Service.duration_minutes)]
    records += [Existing("staff", m.id, m.name, m.external_id, {"email": m.email, "is_active": m.is_active},
                         {"home_branch": m.branch_id, "services": frozenset(performed.get(m.id, ()))})
                for m in _rows(Staff, company_id, Staff.email, Staff.branch_id)]
    return records


def preview(company_id: int, data: bytes, kind: str | None) -> Plan:
    """What importing `data` would do; writes nothing."""
    columns, rows, errors = read_csv(data)
    return plan_import(columns, rows, kind, existing_records(company_id), errors)


def apply_import(actor: User, company_id: int, data: bytes, kind: str | None, digest: str,
                 now: datetime) -> ImportResult:
    """Plan again and, when the plan is the one previewed and has no errors, write it all in one
    transaction; otherwise write nothing."""
    plan = preview(company_id, data, kind)
    if not plan.ok:
        return ImportResult(plan, False, M_("The file has errors: correct them and preview it again."))
    if plan_digest(plan) != digest:
        return ImportResult(plan, False, M_("The organisation changed since the preview: check the new "
                                            "preview and apply it again."), stale=True)
    try:
        Writer(actor, company_id).write(plan)
        audit.record(company_id, actor, "import", "organisation", None, {},
                     {"created": plan.count("create"), "updated": plan.count("update"),
                      "unchanged": plan.count("unchanged"), "at": now.isoformat(timespec="seconds")})
        db.session.commit()
    except IntegrityError:  # a concurrent write took a name or external id of the file
        db.session.rollback()
        return ImportResult(preview(company_id, data, kind), False, CONCURRENT, stale=True)
    except BaseException:
        db.session.rollback()
        raise
    return ImportResult(plan, True)


class Writer:
    """Writes the rows of a plan: creates and updates, their links, an audit event each."""

    def __init__(self, actor: User, company_id: int):
        self.actor, self.company_id = actor, company_id
        self.created: dict[int, Branch | Service | Staff] = {}  # line number → new record
        self.stored: dict[tuple[str, int], Branch | Service | Staff] = {}

    def write(self, plan: Plan) -> None:
        for kind in KINDS:
            model = MODELS[kind]
            self.stored.update({(kind, row.id): row for row in db.session.scalars(
                Scope.company(self.company_id).select(model))})
            rows = [row for row in plan.rows if row.kind == kind and row.action in ("create", "update")]
            changes = [self._write_row(row) for row in rows]
            db.session.flush()
            for row, (before, after) in zip(rows, changes, strict=True):
                entity = self.created.get(row.number) or self.stored[(kind, row.target or 0)]
                after.update(linked_ids(row, entity))
                audit.record(self.company_id, self.actor, f"import_{row.action}", kind, entity.id,
                             before, after)

    def _linked(self, kind: str, refs) -> list:
        return [self.created[ident] if source == "row" else self.stored[(kind, ident)]
                for source, ident in refs]

    def _write_row(self, row: PlannedRow) -> tuple[dict, dict]:
        model = MODELS[row.kind]
        if row.action == "create":
            entity = model(company_id=self.company_id, name=row.name)
            db.session.add(entity)
            self.created[row.number] = entity
            before: dict = {}
        else:
            entity = self.stored[(row.kind, row.target or 0)]
            before = {"name": entity.name, "external_id": entity.external_id,
                      **{key: audit_value(getattr(entity, key)) for key in row.values}}
        entity.name = row.name
        if row.external_id:
            entity.external_id = row.external_id
        for key, value in row.values.items():
            setattr(entity, key, value)
        after = {"name": row.name, "external_id": entity.external_id,
                 **{key: audit_value(value) for key, value in row.values.items()}}
        self._write_links(row, entity)
        return before, after

    def _write_links(self, row: PlannedRow, entity) -> None:
        if "branches" in row.links:
            entity.branches = self._linked("branch", row.links["branches"])
        if "home_branch" in row.links:
            home = self._linked("branch", row.links["home_branch"])
            entity.branch = home[0] if home else None
        if "services" in row.links:
            entity.services = self._linked("service", row.links["services"])


def linked_ids(row: PlannedRow, entity) -> dict:
    """The links a row set, as ids (known once the new records are flushed)."""
    ids: dict = {}
    for column in row.links:
        if column == "home_branch":
            ids["branch_id"] = entity.branch_id
        else:
            ids[column] = sorted(linked.id for linked in getattr(entity, column))
    return ids

"""Applying sync records: one or up to 500 in one transaction, each refused record with its
field errors; nothing is applied when any is refused, unless the caller asks for best effort."""

from dataclasses import dataclass, field
from typing import Any

from portal.extensions import db
from portal.models import Company
from portal.models.base import utcnow
from portal.services import audit
from portal.services.delivery.outbox import Outbox
from portal.services.delivery.reminders import insert_drafts
from portal.services.sync.appointments import upsert_appointment
from portal.services.sync.notify import appointment_synced
from portal.services.sync.records import upsert_branch, upsert_customer, upsert_service, upsert_staff
from portal.services.sync.references import Pending, References, SyncRefused, Upserted

MAX_RECORDS = 500
# The references each type names, (field, type, many): preloaded for a whole batch at once.
REFERENCES = {
    "service": (("branches", "branch", True),),
    "staff": (("branch", "branch", False), ("services", "service", True)),
    "appointment": (
        ("branch", "branch", False),
        ("service", "service", False),
        ("staff", "staff", False),
        ("customer", "customer", False),
    ),
}


@dataclass(frozen=True)
class SyncRecord:
    kind: str  # branch | service | staff | customer | appointment
    external_id: str
    data: dict[str, Any]  # checked by the caller's schema of the kind


@dataclass(frozen=True)
class Result:
    record: SyncRecord
    upserted: Upserted | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return self.upserted.outcome if self.upserted else "refused"


def _preload(refs: References, records: list[SyncRecord]) -> None:
    wanted: dict[str, set[str]] = {}
    for record in records:
        wanted.setdefault(record.kind, set()).add(record.external_id)
        for name, kind, many in REFERENCES.get(record.kind, ()):
            value = record.data.get(name)
            values = (value or []) if many else ([value] if value else [])
            wanted.setdefault(kind, set()).update(values)
    for kind, external_ids in wanted.items():
        refs.preload(kind, external_ids)


def _upsert(refs: References, record: SyncRecord, region: str) -> Pending:
    if record.kind == "customer":
        return upsert_customer(refs, record.external_id, record.data, region)
    upsert = {
        "branch": upsert_branch,
        "service": upsert_service,
        "staff": upsert_staff,
        "appointment": upsert_appointment,
    }[record.kind]
    return upsert(refs, record.external_id, record.data)


def _audit(company_id: int, done, actor_label: str) -> None:
    """Audit events for the branches, services and staff a sync created or changed (the pages'
    "last changed by" reads them); appointments and customers are the booking system's data."""
    for record, pending, _ in done:
        if pending is None or pending.audit is None or not pending.changed or record.kind == "customer":
            continue
        before, after = pending.audit
        event = audit.record(
            company_id,
            None,
            "create" if pending.created else "update",
            record.kind,
            pending.row.id,
            before,
            after,
        )
        event.actor_label = actor_label


def _notify(done) -> None:
    """The booking events of the appointments this sync wrote, in its transaction."""
    appointments = [pending for record, pending, _ in done
                    if pending is not None and record.kind == "appointment"]
    if not appointments:
        return
    now, outbox = utcnow(), Outbox(appointments[0].row.company_id)  # one resolution per node for the batch
    drafts: list[dict] = []
    for pending in appointments:
        appointment_synced(pending, now, outbox, drafts)
    insert_drafts(drafts)


def apply_records(
    company_id: int, records: list[SyncRecord], best_effort: bool = False, actor_label: str = "sync"
) -> list[Result]:
    """Upsert `records` in order (a later record may name an earlier one) and commit — all of
    them, or when any is refused none (or, with `best_effort`, the accepted ones)."""
    refs = References(company_id)
    region = db.session.get_one(Company, company_id).default_region
    _preload(refs, records)
    done: list[tuple[SyncRecord, Pending | None, dict[str, str]]] = []
    try:
        for record in records:
            try:
                done.append((record, _upsert(refs, record, region), {}))
            except SyncRefused as refused:
                done.append((record, None, refused.fields))
        db.session.flush()  # the inserts and updates together; the ids are known from here
        _audit(company_id, done, actor_label)
        results = [
            Result(record, pending.flushed() if pending else None, fields) for record, pending, fields in done
        ]
        if any(result.upserted is None for result in results) and not best_effort:
            db.session.rollback()
        else:
            _notify(done)
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results

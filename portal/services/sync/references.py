"""What sync writes share: the records of a company by external id (loaded once per batch, with
the records the batch creates added as it goes), the refusal, the outcome."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from portal.extensions import db
from portal.models import Appointment, Branch, Customer, Service, Staff
from portal.services.scope import Scope

MODELS: dict[str, type[Branch | Service | Staff | Customer | Appointment]] = {
    "branch": Branch,
    "service": Service,
    "staff": Staff,
    "customer": Customer,
    "appointment": Appointment,
}
LABELS = {
    "branch": "branch",
    "service": "service",
    "staff": "staff member",
    "customer": "customer",
    "appointment": "appointment",
}


class SyncRefused(Exception):
    """A record the portal does not accept; nothing of it was written. `fields`: name → message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Pending:
    """An accepted record's row, changed in the session but not flushed yet (a batch flushes
    once, so the database gets its inserts together)."""

    row: Any
    created: bool
    changed: bool
    status_before: str | None = None
    audit: tuple[dict, dict] | None = None  # (before, after) of an organisation record's change
    # Appointments: the start before this record and the relations it changed (the booking events).
    starts_before: datetime | None = None
    relinked: tuple[str, ...] = ()

    def flushed(self) -> "Upserted":
        return Upserted(
            self.row.id, self.created, self.changed, self.status_before, getattr(self.row, "status", None)
        )


@dataclass(frozen=True)
class Upserted:
    """What an upsert did: the row's id, whether it created it, whether anything changed, and
    (appointments) the status before and after — the booking events hang on these."""

    id: int
    created: bool
    changed: bool
    status_before: str | None = None
    status_after: str | None = None

    @property
    def outcome(self) -> str:
        return "created" if self.created else "updated" if self.changed else "unchanged"

    @property
    def status_changed(self) -> bool:
        return self.created or self.status_before != self.status_after


@dataclass
class References:
    """One company's records by (type, external id)."""

    company_id: int
    rows: dict[tuple[str, str], object] = field(default_factory=dict)
    loaded: set[tuple[str, str]] = field(default_factory=set)

    def preload(self, kind: str, external_ids: Iterable[str]) -> None:
        """Load the records of these external ids in one query (a batch's references)."""
        wanted = sorted({ext for ext in external_ids if (kind, ext) not in self.loaded})
        model = MODELS[kind]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for row in db.session.scalars(
                Scope.company(self.company_id).select(model).where(model.external_id.in_(chunk))
            ):
                self.rows[(kind, row.external_id)] = row
            self.loaded.update((kind, ext) for ext in chunk)

    def find(self, kind: str, external_id: str | None):
        """The company's record of that type and external id, or None."""
        if external_id is None:
            return None
        if (kind, external_id) not in self.loaded:
            self.preload(kind, [external_id])
        return self.rows.get((kind, external_id))

    def require(self, kind: str, external_id: str, name: str, errors: dict[str, str]):
        """The record, or an "unknown" message under `name` (another company's is unknown too)."""
        row = self.find(kind, external_id)
        if row is None:
            errors[name] = f"Unknown {LABELS[kind]} “{external_id}”: sync it first."
        return row

    def add(self, kind: str, row) -> None:
        self.rows[(kind, row.external_id)] = row
        self.loaded.add((kind, row.external_id))


def link(row, relation: str, target) -> bool:
    """Point `row.<relation>` at `target` (or None); whether it changed. A target created in the
    same batch has no id before the flush: it is linked by the relationship instead."""
    column = f"{relation}_id"
    if target is not None and target.id is None:
        setattr(row, relation, target)
        return True
    wanted = target.id if target is not None else None
    if getattr(row, column) != wanted:
        setattr(row, column, wanted)
        return True
    return False


def naive_utc(moment: datetime) -> datetime:
    """An aware time as the naive UTC the database keeps."""
    return moment.astimezone(UTC).replace(tzinfo=None)

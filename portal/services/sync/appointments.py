"""The one function through which sync writes appointments (so events such as booking_confirmed
or no_show can be hung on what it returns: created, and the status before and after).

Cancelling or rescheduling an appointment under the portal's rules is not sync: that goes
through portal.services.modifications.change like the pages. Sync mirrors what the booking
system holds — its times, price and status as they are there.
"""

from typing import Any

from portal.extensions import db
from portal.models import Appointment
from portal.services.sync.references import Pending, References, SyncRefused, link, naive_utc


def upsert_appointment(refs: References, external_id: str, data: dict[str, Any]) -> Pending:
    """Create or update the appointment of this external id; refuses (SyncRefused, nothing
    written) unknown branch, service, staff or customer ids and an end before the start. Once
    flushed (portal.services.sync.batch), its Upserted tells whether it created the row and the
    status before and after."""
    errors: dict[str, str] = {}
    branch = refs.require("branch", data["branch"], "branch", errors)
    service = refs.require("service", data["service"], "service", errors)
    staff = refs.require("staff", data["staff"], "staff", errors) if data.get("staff") else None
    customer = refs.require("customer", data["customer"], "customer", errors)
    starts_at, ends_at = naive_utc(data["starts_at"]), naive_utc(data["ends_at"])
    if ends_at <= starts_at:
        errors["ends_at"] = "The appointment must end after it starts."
    if errors:
        raise SyncRefused(errors)
    assert branch is not None  # required above: refused when unknown
    assert service is not None
    assert customer is not None
    row = refs.find("appointment", external_id)
    created = row is None
    if row is None:
        row = Appointment(company_id=refs.company_id, external_id=external_id, status="scheduled")
    status_before = None if created else row.status
    starts_before = None if created else row.starts_at
    targets = (("branch", branch), ("service", service), ("staff", staff), ("customer", customer))
    relinked = tuple(relation for relation, target in targets if link(row, relation, target))
    changed = bool(relinked)
    values = {"starts_at": starts_at, "ends_at": ends_at}
    for key in ("price", "status", "recurring_series_id"):
        if key in data:
            values[key] = data[key]
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if created:
        db.session.add(row)
        refs.add("appointment", row)
    return Pending(row, created, changed, status_before, starts_before=starts_before, relinked=relinked)

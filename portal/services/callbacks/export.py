"""CSV export of the filtered queue, in queue order, read page by page (any size, flat memory)."""
from collections.abc import Iterator
from datetime import datetime

from portal.services.callbacks.queue import QueueFilter, filter_criteria, queue_page, queue_rows
from portal.services.scope import Scope

CHUNK = 500
HEADER = ("id", "status", "priority", "customer_name", "phone_number", "customer_email", "branch",
          "service", "assigned_to", "created_at_utc", "deadline_utc", "deadline", "contact_attempts",
          "open_escalations", "notes")


def export_rows(scope: Scope, region: str, f: QueueFilter, now: datetime) -> Iterator[tuple]:
    """One row (HEADER's columns) per callback matching the filters.

    Takes plain values, not the user: the rows are produced while the response streams, after
    the request's database session has been closed and reopened."""
    criteria = filter_criteria(scope, f, region, now)
    start = None
    while True:
        page = queue_page(criteria, f, start, CHUNK)
        for row in queue_rows(scope, page.callbacks, now):
            c = row.callback
            yield (c.id, c.status, c.priority, c.customer_name, c.phone_number,
                   c.customer_email, c.branch_name, c.service_name, c.assignee_name,
                   f"{c.created_at:%Y-%m-%d %H:%M}", f"{c.expires_at:%Y-%m-%d %H:%M}", row.badge.text,
                   c.contact_attempts, " ".join(c.escalations), c.notes)
        if not page.has_next:
            return
        start = page.last

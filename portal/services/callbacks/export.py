"""CSV export of the filtered queue, in queue order, read page by page (any size, flat memory)."""
import csv
import io
from datetime import datetime
from typing import Iterator

from portal.extensions import db
from portal.services.callbacks.queue import QueueFilter, filter_criteria, page_keys, queue_rows
from portal.services.scope import Scope

CHUNK = 500
HEADER = ("id", "status", "priority", "customer_name", "phone_number", "customer_email", "branch",
          "service", "assigned_to", "created_at_utc", "deadline_utc", "deadline", "contact_attempts",
          "open_escalations", "notes")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str | None) -> str:
    """Free text a spreadsheet must not run as a formula (CSV injection): prefixed with '."""
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def csv_lines(scope: Scope, region: str, f: QueueFilter, now: datetime) -> Iterator[str]:
    """The header, then one line per callback matching the filters.

    Takes plain values, not the user: the lines are produced while the response streams, after
    the request's database session has been closed and reopened."""
    yield _line(HEADER)
    criteria = filter_criteria(scope, f, region, now)
    start = None
    while True:
        page = page_keys(criteria, f, now, start, CHUNK)
        for row in queue_rows(scope, page.ids, now):
            c = row.callback
            # The phone number is validated E.164 (a + and digits): it cannot carry a formula.
            yield _line((c.id, c.status, c.priority, safe_text(c.customer_name), c.phone_number,
                         safe_text(c.customer_email), safe_text(c.branch.name),
                         safe_text(c.service.name if c.service else ""),
                         safe_text(c.assignee.name if c.assignee else ""),
                         f"{c.created_at:%Y-%m-%d %H:%M}", f"{c.expires_at:%Y-%m-%d %H:%M}", row.badge.text,
                         c.contact_attempts, " ".join(row.escalations), safe_text(c.notes)))
            db.session.expunge(c)  # keeps memory flat on a large export
        if not page.has_next:
            return
        start = page.last

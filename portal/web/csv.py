"""The one CSV writer: streamed responses whose text cells cannot run as spreadsheet formulas.

A spreadsheet may split a cell again on `,` or `;` (German-locale Excel reads `;` as the column
separator, so "Anna;=1+1" becomes two cells, the second a formula). So every part of a text cell
that follows a separator is guarded like the start of the cell: a part beginning (after spaces)
with = + - @, a tab or CR gets a ' in front, unless it is a plain number ("+4915112345678",
"-5.5"), which calls no function and stays readable. Exports hold personal data: no-store.
"""
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, stream_with_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# A cell starting with one of these is run as a formula by spreadsheet apps (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("+4915112345678", "-5.5") calls no function: it stays as it is.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
# Where a spreadsheet in some locale may start a new cell inside ours.
SEPARATORS = re.compile(r"([,;])")
CHUNK_ROWS = 500


def _safe_part(part: str) -> str:
    text = part.lstrip(" ")
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text.rstrip(" ")):
        return part[:len(part) - len(text)] + "'" + text
    return part


def safe_cell(value):
    """Text with a ' before each part a spreadsheet would run as a formula; other values as they are."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    # split() keeps the separators at the odd places; the parts between them are guarded
    return "".join(_safe_part(piece) if index % 2 == 0 else piece
                   for index, piece in enumerate(SEPARATORS.split(value)))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The header, then the rows, as CSV text in chunks (memory stays flat on any size)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# Column headings of the exports in the page's language. English keeps the column names
# themselves (scripts read them); the cells stay machine-readable in every language (ISO 8601
# times, "." decimals, codes).
COLUMN_LABELS = {
    "id": _l("ID"), "status": _l("Status"), "priority": _l("Priority"), "customer_name": _l("Customer name"),
    "phone_number": _l("Phone number"), "customer_email": _l("Customer email"), "branch": _l("Branch"),
    "service": _l("Service"), "assigned_to": _l("Assigned to"), "created_at_utc": _l("Created (UTC)"),
    "deadline_utc": _l("Deadline (UTC)"), "deadline": _l("Deadline (local time)"),
    "contact_attempts": _l("Contact attempts"), "open_escalations": _l("Open escalations"),
    "notes": _l("Notes"),
    "created_at_local": _l("Created (local time)"), "type": _l("Type"), "within_policy": _l("Within policy"),
    "fee_charged_eur": _l("Fee charged (EUR)"), "fee_waived": _l("Fee waived"), "forced": _l("Forced"),
    "hours_notice": _l("Hours of notice"), "reason": _l("Reason"), "customer": _l("Customer"),
    "customer_id": _l("Customer ID"), "appointment_id": _l("Appointment ID"), "modified_by": _l("Changed by"),
}


def localized_header(header: Sequence[str]) -> list[str]:
    """The header row in the request's language (English: the column names as they are)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return list(header)
    return [str(COLUMN_LABELS[name]) if name in COLUMN_LABELS else name for name in header]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A streamed CSV download. `rows` is read while the response streams."""
    chunks = csv_chunks(localized_header(header), rows)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # personal data: no copy in any cache
    return response

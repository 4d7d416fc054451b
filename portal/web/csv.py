"""The one CSV writer: streamed responses whose text cells cannot run as spreadsheet formulas."""
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, stream_with_context

# A cell starting with one of these is run as a formula by spreadsheet apps (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("+4915112345678", "-5.5") calls no function: it stays as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
CHUNK_ROWS = 500


def safe_cell(value):
    """Text prefixed with ' when a spreadsheet would read it as a formula; other values as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


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


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A streamed CSV download. `rows` is read while the response streams."""
    response = Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

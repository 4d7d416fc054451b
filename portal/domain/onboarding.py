"""Bulk onboarding by CSV, as pure rules: read the rows, match them to what the company has, and
plan per row "create / update / unchanged / error" with a message a person can act on.

Rows match by external id, else by name (branches and services: names are unique per company;
staff: a name must name one person). A blank cell leaves a stored value as it is, so re-importing
the same file plans nothing but "unchanged". Links (the branches offering a service, a person's
home branch and services) name branches and services by name or external id, whether they exist
already or come earlier or later in the same file. The service layer applies a plan without errors
in one transaction (portal/services/organisation/importer.py).
"""
import csv
import io
from dataclasses import dataclass, field
from typing import Any

from portal.domain.messages import M_
from portal.domain.organisation import (
    ACTIVE,
    CITY_MAX,
    check_timezone,
    clean_email,
    clean_external_id,
    clean_name,
    clean_text,
    parse_duration,
    parse_flag,
    parse_price,
)

KINDS = ("branch", "service", "staff")
KIND_WORDS = {"branch": "branch", "branches": "branch", "service": "service", "services": "service",
              "staff": "staff", "staff member": "staff", "staff_member": "staff"}
COLUMNS = {
    "branch": ("name", "external_id", "city", "timezone", "active"),
    "service": ("name", "external_id", "price", "duration_minutes", "branches", "active"),
    "staff": ("name", "external_id", "email", "home_branch", "services", "active"),
}
REQUIRED = {"branch": ("name",), "service": ("name",), "staff": ("name", "home_branch")}
LINK_COLUMNS = {"branches": "branch", "services": "service", "home_branch": "branch"}
MAX_BYTES = 400_000
MAX_ROWS = 5_000
LIST_SEPARATORS = (";", "|")


@dataclass(frozen=True)
class Existing:
    """A stored record as the import compares it: plain values and links by id."""

    kind: str
    id: int
    name: str
    external_id: str | None
    values: dict
    links: dict  # "branches" / "services": frozenset of ids; "home_branch": id or None


@dataclass
class PlannedRow:
    number: int  # the line of the file (the header is line 1)
    kind: str
    name: str
    action: str = "create"  # create | update | unchanged | error
    target: int | None = None  # id of the stored record it updates
    values: dict = field(default_factory=dict)  # the plain fields to write
    links: dict = field(default_factory=dict)  # column → tuple of Ref
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    external_id: str | None = None


Ref = tuple[str, int]  # ("id", stored id) or ("row", line number of a planned create)


@dataclass
class Plan:
    rows: list[PlannedRow]
    file_errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def writes(self) -> int:
        return self.count("create") + self.count("update")


def read_csv(data: bytes) -> tuple[list[str], list[tuple[int, dict]], list[str]]:
    """(columns, [(line, {column: cell})], file errors). UTF-8 (with or without BOM), else
    Windows-1252 as spreadsheets save it; comma, semicolon or tab separated."""
    if len(data) > MAX_BYTES:
        return [], [], [M_("The file is %(size)s KB; at most %(maximum)s KB at once (split it by kind).",
                           size=len(data) // 1000, maximum=MAX_BYTES // 1000)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        return [], [], [M_("This is not a CSV text file.")]
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as exc:
        return [], [], [M_("The file is not valid CSV: %(problem)s.", problem=str(exc))]
    if not lines or not any(cell.strip() for cell in lines[0]):
        return [], [], [M_("The file is empty: the first line names the columns.")]
    columns = [cell.strip().lower().replace(" ", "_") for cell in lines[0]]
    rows = [(number, dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False)))
            for number, cells in enumerate(lines[1:], start=2) if any(cell.strip() for cell in cells)]
    if len(rows) > MAX_ROWS:
        return columns, [], [M_("The file has %(count)s rows; at most %(maximum)s at once.", count=len(rows),
                                maximum=MAX_ROWS)]
    return columns, rows, []


def check_columns(columns: list[str], kind: str | None) -> list[str]:
    """Messages for unknown or repeated columns, and the kind column of a combined file
    (`kind` None). Missing columns depend on the rows' kinds: see missing_columns()."""
    allowed = set(COLUMNS[kind]) if kind else {"kind", *(c for cols in COLUMNS.values() for c in cols)}
    errors: list[str] = [
        M_("Line 1: unknown column “%(column)s”. The columns are: %(columns)s.", column=column[:40],
           columns=", ".join(sorted(allowed)))
        for column in sorted(set(columns) - allowed - {""})]
    errors += [M_("Line 1: the column “%(column)s” appears twice.", column=column)
               for column in sorted({c for c in columns if c and columns.count(c) > 1})]
    if kind is None and "kind" not in columns:
        errors.append(M_("Line 1: a combined file needs a “kind” column (branch, service or staff); "
                         "or choose the kind the file holds."))
    return errors


def missing_columns(columns: list[str], kinds: set[str]) -> list[str]:
    return [M_("Line 1: the column “%(column)s” is missing; %(kind)s rows need it.", column=column, kind=kind)
            for kind in KINDS if kind in kinds for column in REQUIRED[kind] if column not in columns]


def _cell(row: dict, column: str) -> str:
    return (row.get(column) or "").strip()


NONE_WORDS = {"-", "none", "keine", "keiner"}


def _names(cell: str) -> list[str]:
    """The names or external ids of a link cell ("Mitte; Altona"); "-" (none) is an empty list."""
    if cell.lower() in NONE_WORDS:
        return []
    for separator in LIST_SEPARATORS:
        if separator in cell:
            return [part.strip() for part in cell.split(separator) if part.strip()]
    return [cell] if cell else []


CLEANERS = {
    "city": lambda v: clean_text(v, M_("The city"), CITY_MAX, required=False),
    "timezone": lambda v: check_timezone(v, required=False),
    "price": parse_price,
    "duration_minutes": parse_duration,
    "email": clean_email,
    "active": lambda v: parse_flag(v, ACTIVE),
}
VALUE_FIELDS = {"branch": ("city", "timezone"), "service": ("price", "duration_minutes"), "staff": ("email",)}


def parse_row(number: int, kind: str, row: dict) -> PlannedRow:
    """One row's own values, cleaned; links are kept as the names typed, resolved later."""
    name, error = clean_name(_cell(row, "name"))
    planned = PlannedRow(number, kind, name or _cell(row, "name")[:60])
    if error:
        planned.errors.append(error)
    external_id, error = clean_external_id(_cell(row, "external_id"))
    planned.external_id = external_id
    if error:
        planned.errors.append(error)
    for column in (*VALUE_FIELDS[kind], "active"):
        text = _cell(row, column)
        if not text:
            continue
        value, error = CLEANERS[column](text)
        if error:
            planned.errors.append(error)
        else:
            planned.values["is_active" if column == "active" else column] = value
    for column in ("branches", "services", "home_branch"):
        if column in COLUMNS[kind] and _cell(row, column):
            planned.links[column] = tuple(_names(_cell(row, column)))
    return planned


def row_kind(row: dict, kind: str | None) -> tuple[str | None, str | None]:
    if kind:
        return kind, None
    word = _cell(row, "kind").lower()
    found = KIND_WORDS.get(word)
    return found, None if found else M_("Unknown kind “%(kind)s”: write branch, service or staff.",
                                        kind=word[:30])


def describe(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return M_("active") if value else M_("inactive")
    return str(value)

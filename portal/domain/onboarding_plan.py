"""Planning a CSV import against what the company has (pure; see portal.domain.onboarding)."""
import hashlib
from collections import defaultdict

from portal.domain.messages import M_
from portal.domain.onboarding import (
    LINK_COLUMNS,
    Existing,
    Plan,
    PlannedRow,
    Ref,
    check_columns,
    describe,
    missing_columns,
    parse_row,
    row_kind,
)

KIND_LABELS = {"branch": M_("branch"), "service": M_("service"), "staff": M_("staff member")}
KIND_PLURALS = {"branch": M_("branches"), "service": M_("services"), "staff": M_("staff members")}
# The columns as a change names them ("city Hamburg → Berlin").
FIELD_LABELS = {"city": M_("city"), "timezone": M_("time zone"), "price": M_("price"),
                "duration_minutes": M_("duration in minutes"), "email": M_("email address"),
                "is_active": M_("active"), "branches": M_("branches"), "services": M_("services"),
                "home_branch": M_("home branch")}


class Index:
    """Stored records and the file's rows, found by external id or by name (case-insensitive)."""

    def __init__(self, existing: list[Existing]):
        self.by_id = {(e.kind, e.id): e for e in existing}
        self.by_external: dict[tuple[str, str], Existing] = {}
        self.by_name: dict[tuple[str, str], list[Existing]] = defaultdict(list)
        for record in existing:
            if record.external_id:
                self.by_external[(record.kind, record.external_id)] = record
            self.by_name[(record.kind, record.name.lower())].append(record)
        self.row_external: dict[tuple[str, str], PlannedRow] = {}
        self.row_name: dict[tuple[str, str], PlannedRow] = {}


def plan_import(columns: list[str], rows: list[tuple[int, dict]], kind: str | None,
                existing: list[Existing], file_errors: list[str] | None = None) -> Plan:
    """Every row of the file with what applying it would do, or why it cannot."""
    errors = list(file_errors or ()) or [*check_columns(columns, kind),
                                         *(missing_columns(columns, {kind}) if kind else [])]
    if errors:
        return Plan([], errors)
    planned = [_parse(number, cells, kind) for number, cells in rows]
    missing = missing_columns(columns, {row.kind for row in planned})
    if missing:
        return Plan([], missing)
    index = Index(existing)
    for row in planned:
        if not row.errors:
            _match(row, index)
        elif row.kind != "?":  # still found by name, so rows naming it are told it has errors
            index.row_name.setdefault((row.kind, row.name.lower()), row)
            if row.external_id:
                index.row_external.setdefault((row.kind, row.external_id), row)
    for row in planned:
        if not row.errors:
            _resolve_links(row, index)
    for row in planned:
        _decide(row, index)
    return Plan(planned, [])


def _parse(number: int, cells: dict, kind: str | None) -> PlannedRow:
    row_type, error = row_kind(cells, kind)
    if row_type is None:
        return PlannedRow(number, "?", (cells.get("name") or "")[:60], errors=[error or M_("Unknown kind.")])
    return parse_row(number, row_type, cells)


def _match(row: PlannedRow, index: Index) -> None:
    """Find the stored record a row describes (by external id, else by name), and refuse a row
    that repeats an external id or a record of an earlier row."""
    label = KIND_LABELS[row.kind]
    if row.external_id:
        earlier = index.row_external.get((row.kind, row.external_id))
        if earlier is not None:
            row.errors.append(M_("The external id “%(id)s” is on line %(line)s too.", id=row.external_id,
                                 line=earlier.number))
            return
        index.row_external[(row.kind, row.external_id)] = row
        found = index.by_external.get((row.kind, row.external_id))
        if found is not None:
            row.target = found.id
    if row.target is None and (row.kind != "staff" or not row.external_id):
        candidates = index.by_name.get((row.kind, row.name.lower()), [])
        if len(candidates) > 1:
            row.errors.append(M_("%(count)s %(kinds)s are called “%(name)s”: add an external_id to tell "
                                 "them apart.", count=len(candidates), kinds=KIND_PLURALS[row.kind],
                                 name=row.name))
            return
        if candidates and candidates[0].external_id and row.external_id:
            row.errors.append(M_("A %(kind)s called “%(name)s” exists with the external id “%(id)s”: use "
                                 "that id, or another name.", kind=label, name=row.name,
                                 id=candidates[0].external_id))
            return
        row.target = candidates[0].id if candidates else None
    _claim_name(row, index, label)


def _claim_name(row: PlannedRow, index: Index, label: M_) -> None:
    key = (row.kind, row.name.lower())
    earlier = index.row_name.get(key)
    if earlier is not None and _same_record(earlier, row):
        row.errors.append(M_("Line %(line)s describes the %(kind)s “%(name)s” already.", line=earlier.number,
                             kind=label, name=row.name))
        return
    if row.kind != "staff" and row.target is not None:
        owner = [e for e in index.by_name.get(key, []) if e.id != row.target]
        if owner:
            row.errors.append(M_("Another %(kind)s is already called “%(name)s”.", kind=label, name=row.name))
            return
    index.row_name.setdefault(key, row)


def _same_record(earlier: PlannedRow, row: PlannedRow) -> bool:
    """Whether two rows of one name describe one record: always for branches and services (names
    are unique); for staff when they update the same person, or create one without external ids."""
    if row.kind != "staff":
        return True
    if row.target is not None or earlier.target is not None:
        return row.target == earlier.target
    return not (row.external_id and earlier.external_id)


def _resolve_links(row: PlannedRow, index: Index) -> None:
    resolved: dict[str, tuple[Ref, ...]] = {}
    for column, names in row.links.items():
        kind = LINK_COLUMNS[column]
        if column == "home_branch" and len(names) > 1:
            row.errors.append(M_("One home branch only, not %(count)s (“%(names)s”).", count=len(names),
                                 names="; ".join(names)))
            continue
        refs = []
        for name in names:
            ref, error = _find(kind, name, index)
            if error:
                row.errors.append(error)
            elif ref is not None:
                refs.append(ref)
        resolved[column] = tuple(dict.fromkeys(refs))
    row.links = resolved


def _find(kind: str, name: str, index: Index) -> tuple[Ref | None, M_ | None]:
    """A branch or service by external id or name: a row of the file first, then a stored one."""
    row = index.row_external.get((kind, name)) or index.row_name.get((kind, name.lower()))
    if row is not None:
        if row.errors:
            return None, M_("The %(kind)s “%(name)s” on line %(line)s has errors; correct that line first.",
                            kind=KIND_LABELS[kind], name=name, line=row.number)
        return (("id", row.target) if row.target is not None else ("row", row.number)), None
    stored = index.by_external.get((kind, name))
    matches = [stored] if stored else index.by_name.get((kind, name.lower()), [])
    if len(matches) == 1:
        return ("id", matches[0].id), None
    return None, M_("Unknown %(kind)s “%(name)s”: no %(kind)s has this name or external id, stored or in "
                    "the file.", kind=KIND_LABELS[kind], name=name[:60])


def _decide(row: PlannedRow, index: Index) -> None:
    """create / update (with what changes) / unchanged / error."""
    if row.errors:
        row.action = "error"
        return
    if row.target is None:
        row.action = "create"
        return
    stored = index.by_id[(row.kind, row.target)]
    changes: list[str] = []
    if row.name != stored.name:
        changes.append(M_("name “%(old)s” → “%(new)s”", old=stored.name, new=row.name))
    if row.external_id and row.external_id != stored.external_id:
        changes.append(M_("external id %(old)s → %(new)s", old=describe(stored.external_id),
                          new=row.external_id))
    for key, value in row.values.items():
        if stored.values.get(key) != value:
            changes.append(M_("%(field)s %(old)s → %(new)s", field=FIELD_LABELS.get(key, key),
                              old=describe(stored.values.get(key)), new=describe(value)))
    for column, refs in row.links.items():
        wanted = {ident for kind, ident in refs if kind == "id"}
        current = stored.links.get(column, frozenset())
        current = frozenset() if current is None else current
        if column == "home_branch":
            current = frozenset({current}) if isinstance(current, int) else current
        if wanted != set(current) or any(kind == "row" for kind, _ in refs):
            changes.append(M_("%(field)s changed", field=FIELD_LABELS.get(column, column)))
    row.changes, row.action = changes, "update" if changes else "unchanged"


def plan_digest(plan: Plan) -> str:
    """A fingerprint of what applying the plan would write and what it would overwrite: the
    preview carries one, and applying refuses when the plan computed again differs (someone
    changed the organisation in between, so the preview no longer tells the truth)."""
    parts = [repr((row.number, row.kind, row.action, row.target, row.name, row.external_id, row.changes,
                   sorted((k, str(v)) for k, v in row.values.items()),
                   sorted((k, v) for k, v in row.links.items()))) for row in plan.rows]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

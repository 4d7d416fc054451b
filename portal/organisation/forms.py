"""What the organisation pages send: the raw values of a form, read once, for the services to clean.

The rules of each value (length, format, range) live in portal.domain.organisation, shared with the
CSV import; here only the shape is read: which fields, which lists of ids, the version shown.
"""
from werkzeug.datastructures import MultiDict

FIELDS = {
    "branch": ("name", "city", "timezone", "external_id"),
    "service": ("name", "price", "duration_minutes", "external_id"),
    "staff": ("name", "email", "branch_id", "external_id", "user_id"),
    "company": ("name", "timezone", "default_region", "default_language", "email_sender"),
}
# Lists of checkboxes; the form always sends "<name>_shown" beside one, so that nothing ticked
# means "none" rather than "not on the form".
LISTS = {"branch": ("service_ids",), "service": ("branch_ids",), "staff": ("service_ids",)}
FIELD_MAX = 1000  # longer than any field allows: the services say what the limit is


def read_record_form(kind: str, form: MultiDict) -> dict:
    """The fields of one kind of record as submitted (strings; lists of strings for checkboxes)."""
    raw: dict = {name: (form.get(name) or "")[:FIELD_MAX] for name in FIELDS[kind] if name in form}
    for name in LISTS.get(kind, ()):
        if name in form or f"{name}_shown" in form:
            raw[name] = form.getlist(name)
    return raw


def read_version(form: MultiDict) -> int | None:
    """The version the page showed, or None when the form lacks it (a crafted or stale form)."""
    value = form.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

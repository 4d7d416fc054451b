"""Typed request values: every query, form, JSON and path value a view uses is read here.

The parsers are the domain's (`portal.domain.parsing`: one per kind of value); this module
takes the value from the request, names the field, and turns a refusal into a 400 with a message
a person understands ("Branch: must be a whole number written with the digits 0–9, not '²'").
Forms keep WTForms; their bounded fields (`portal.web.fields`) use the same parsers.

Before any view runs, `check_request` refuses what no field may hold: NUL and other control
characters, values longer than MAX_VALUE_LENGTH, more than MAX_VALUES values.
"""
from datetime import date, datetime
from typing import Any, NoReturn

from flask import Flask, abort, request
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BaseConverter, ValidationError

from portal.domain.messages import M_
from portal.domain.parsing import (
    MAX_INT,
    InputError,
    check_text,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_id,
    parse_int,
    parse_text,
)

MAX_PAGE = 100_000  # 2.5 million rows at 25 a page: deeper is a crafted link, not a person
MAX_VALUE_LENGTH = 20_000  # the longest field (fee tiers, notes) is a tenth of this
MAX_VALUES = 300  # the largest form (the policy editor) sends about 30
# Only url-encoded forms are read here: a multipart body (a file upload) is the view's to read,
# after it has set its own request.max_content_length.
FORM_TYPES = ("application/x-www-form-urlencoded",)


# How the page names a value it refuses, where the name alone says too little or is not the
# page's language; any other name is shown as it is written ("date_from" -> "Date from").
LABELS = {
    "q": _l("Search"), "csrf_token": _l("The form's security token"), "page": _l("Page"),
    "version": _l("Version"), "branch": _l("Branch"), "branch_id": _l("Branch"), "service": _l("Service"),
    "service_id": _l("Service"), "staff": _l("Staff member"), "staff_id": _l("Staff member"),
    "customer": _l("Customer"), "customer_id": _l("Customer"), "status": _l("Status"), "tab": _l("Tab"),
    "priority": _l("Priority"), "assignee": _l("Assignee"), "scope": _l("Scope"), "action": _l("Action"),
    "language": _l("Language"), "lang": _l("Language"), "from": _l("From"), "to": _l("To"),
    "date_from": _l("From"), "date_to": _l("To"), "type": _l("Policy type"), "event": _l("Event"),
    "level": _l("Level"), "entity_id": _l("Node"), "kind": _l("Kind"), "sort": _l("Sort by"),
    "cursor": _l("Page"), "rank": _l("Rank by"), "template": _l("Template"), "key": _l("Setting"),
}


def label_of(name: str) -> Any:
    """A field name as people read it: "date_from" -> "From" (LABELS), "due_by" -> "Due by"."""
    return LABELS.get(name) or name.replace("_", " ").strip().capitalize() or _l("A value")


def refuse(label: Any, message: Any, status: int = 400) -> NoReturn:
    """Stop the request with a 4xx that names the field: a domain Message, said in the language of
    the page that shows it (English in the API's JSON)."""
    abort(status, M_("%(field)s: %(problem)s.", field=label, problem=message))


def _source(source: MultiDict | None) -> MultiDict:
    return request.args if source is None else source


def _read(name: str, parse, source: MultiDict | None, label: str | None, **bounds):
    """The parsed value of `name`, or None when it is absent or blank."""
    raw = _source(source).get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return parse(raw, **bounds)
    except InputError as problem:
        refuse(label or label_of(name), problem.message)


def arg_int(name: str, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_INT,
            source: MultiDict | None = None, label: str | None = None) -> int | None:
    """A whole number within the bounds (ASCII digits only); `default` when absent."""
    value = _read(name, parse_int, source, label, minimum=minimum, maximum=maximum)
    return default if value is None else value


def arg_page(name: str = "page") -> int:
    """A page number, 1 to MAX_PAGE."""
    return arg_int(name, 1, minimum=1, maximum=MAX_PAGE, label=_l("Page")) or 1


def arg_id(name: str, *, source: MultiDict | None = None, label: str | None = None) -> int | None:
    """A record id (whether the record exists is for the tenant scope to say); None when absent."""
    raw = _source(source).get(name)
    if raw is None or raw.strip() == "":
        return None
    ident = parse_id(raw.strip())
    if ident is None:
        refuse(label or label_of(name), M_("%(value)s is not a record id (a whole number 1 or more)",
                                           value=repr(raw[:30])))
    return ident


def arg_choice(name: str, choices, default: str | None = None, *, source: MultiDict | None = None,
               label: str | None = None) -> str:
    """One of `choices`; `default` when absent or blank."""
    raw = _source(source).get(name)
    try:
        return parse_choice(raw, choices, default)
    except InputError as problem:
        refuse(label or label_of(name), problem.message)


def arg_text(name: str, max_length: int, *, source: MultiDict | None = None,
             label: str | None = None, multiline: bool = False) -> str:
    """Text of at most `max_length` characters, stripped; "" when absent."""
    return _read(name, parse_text, source, label, max_length=max_length, multiline=multiline) or ""


def arg_date(name: str, *, source: MultiDict | None = None, label: str | None = None) -> date | None:
    """A date (YYYY-MM-DD) within the stated range; None when absent."""
    return _read(name, parse_date, source, label)


def arg_datetime(name: str, *, source: MultiDict | None = None,
                 label: str | None = None) -> datetime | None:
    """A date and time (ISO 8601) within the stated range; None when absent."""
    return _read(name, parse_datetime, source, label)


def form_version(name: str = "version") -> int:
    """The version of the record the page showed: required, a whole number."""
    version = arg_int(name, source=request.form, minimum=0, label=_l("Version"))
    if version is None:
        abort(400, M_("The form is missing its version; reload the page and try again."))
    return version


def check_request() -> None:
    """Refuse (400) a query string or form that no field of ours could hold."""
    sources = [("query", request.args)]
    if request.mimetype in FORM_TYPES:  # other bodies (JSON, uploads) are read by their view
        sources.append(("form", request.form))
    for what, values in sources:
        if len(values) > MAX_VALUES:
            abort(400, M_("The query has too many values: at most %(maximum)s.", maximum=MAX_VALUES)
                  if what == "query" else
                  M_("The form has too many values: at most %(maximum)s.", maximum=MAX_VALUES))
        for name, value in values.items(multi=True):
            try:
                check_text(name)
                check_text(value, multiline=True)
            except InputError as problem:
                refuse(label_of(name[:40]), problem.message)
            if len(value) > MAX_VALUE_LENGTH:
                refuse(label_of(name[:40]), M_("is too long: at most %(maximum)s characters",
                                               maximum=format_number(MAX_VALUE_LENGTH)), 413)


class IdConverter(BaseConverter):
    """`<int:…>` in routes: ASCII digits naming a possible row (1 to 2**63 − 1), else no match (404).

    Werkzeug's own takes any Unicode digit ("/callbacks/١" would be callback 1)."""

    regex = r"[0-9]{1,19}"
    weight = 50

    def to_python(self, value: str) -> int:
        ident = parse_id(value)
        if ident is None:
            raise ValidationError()
        return ident

    def to_url(self, value: Any) -> str:
        return str(int(value))


def register_converters(app: Flask) -> None:
    """Before any blueprint adds its routes: ids in paths are read by the same rules."""
    app.url_map.converters["int"] = IdConverter


def register(app: Flask) -> None:
    app.before_request(check_request)

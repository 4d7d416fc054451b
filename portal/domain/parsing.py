"""Reading values people and machines send, before anything else sees them.

One parser per kind of value; every request value goes through one of them (the web side,
`portal.web.inputs`, names the field and turns the refusal into a 400/422). Each parser takes
text or a JSON-native value and returns a clean Python value, or raises `InputError` with a
message a person can act on. The rules:

- whole numbers: ASCII digits only (`str.isdigit()` and `int()` also take "²" and "١٢"), a sign
  only where negatives are allowed, within stated bounds and so never thousands of digits;
- decimals: finite (no NaN, no Infinity, no exponent), bounded digits and places, within bounds;
- dates and times: ISO 8601 within EARLIEST..LATEST, so that converting time zones or adding a
  duration can never leave the calendar (year 1 and year 9999 are never reached);
- text: bounded length, valid Unicode (no lone surrogates), no NUL or other control characters
  (line breaks and tabs only where the text has lines);
- JSON: bounded size and nesting depth, checked before parsing (no RecursionError), no NaN.
"""
import json
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.domain.messages import M_, Message

MAX_ID = 2**63 - 1  # the largest BIGINT: anything above cannot name a row
MAX_INT = 2**31 - 1  # the default bound of a whole number: fits every INTEGER column
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
JSON_MAX_BYTES = 16 * 1024
JSON_MAX_DEPTH = 20

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_SIGNED_DIGITS = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"([+-]?)([0-9]{1,20})(?:[.,]([0-9]{1,20}))?", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f]")  # one-line text: no control character at all
_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # text with lines: \t \n \r allowed
# Outside JSON strings, only brackets change the depth; a string is skipped whole.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class InputError(ValueError):
    """A value that cannot be used; the message is for the person who sent it.

    The message is a domain Message: a phrase about the value ("must be a whole number") that the
    caller puts after the field's name, in the page's language (portal/web/fields.py, inputs.py)."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


def _shown(value: Any) -> str:
    """A sent value as a message quotes it: short, and printable whatever it holds."""
    text = value if isinstance(value, str) else repr(value)
    text = _SURROGATE.sub("\ufffd", text)
    return repr(text[:30] + ("…" if len(text) > 30 else ""))


def parse_id(value) -> int | None:
    """A row id from an int or a string of ASCII digits; None for anything else.

    `str.isdigit()` and `int()` accept other scripts' digits and superscripts ("²", "١٢"),
    and an id with thousands of digits overflows the database: both are simply "no such row".
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or len(value) > 19 or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_int(value: Any, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """A whole number within [minimum, maximum], from an int or ASCII digits (a sign if minimum < 0)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(M_("must be a whole number"))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 20 or not _SIGNED_DIGITS.fullmatch(text):
            raise InputError(M_("must be a whole number written with the digits 0–9, not %(value)s",
                                 value=_shown(value)))
        value = int(text)
    if not minimum <= value <= maximum:
        raise InputError(M_("must be a whole number from %(minimum)s to %(maximum)s", minimum=minimum,
                             maximum=maximum))
    return value


def parse_decimal(value: Any, *, minimum: Decimal, maximum: Decimal, places: int = 2) -> Decimal:
    """A finite decimal within [minimum, maximum] with at most `places` decimals ("12.5", "12,50")."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise InputError(M_("must be a number"))
    if isinstance(value, str):
        match = _DECIMAL.fullmatch(value.strip())
        if match is None:
            raise InputError(M_("must be a number like 12.5, not %(value)s", value=_shown(value)))
        sign, whole, fraction = match.groups()
        number = Decimal(f"{sign}{whole}.{fraction or '0'}")
    else:
        try:
            number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise InputError(M_("must be a number")) from None
        if not number.is_finite():
            raise InputError(M_("must be a number, not NaN or infinity"))
    if not minimum <= number <= maximum:
        raise InputError(M_("must be between %(minimum)s and %(maximum)s", minimum=minimum, maximum=maximum))
    if _places(number) > places:
        raise InputError(M_("must have at most %(places)s decimals", places=places))
    return number


def _places(number: Decimal) -> int:
    """Decimals that matter: 12.50 has one, 12.505 three (without rounding, at any precision)."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # a finite number
    while exponent < 0 and digits and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return max(0, -exponent)


def parse_date(value: Any, *, earliest: date = EARLIEST, latest: date = LATEST) -> date:
    """A calendar date written YYYY-MM-DD, within [earliest, latest]."""
    text = value.strip() if isinstance(value, str) else ""
    if not _DATE.fullmatch(text):
        raise InputError(M_("must be a date like 2026-05-03, not %(value)s", value=_shown(value)))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(M_("%(value)s is not a date in the calendar", value=_shown(value))) from None
    if not earliest <= day <= latest:
        raise InputError(M_("must be a date from %(earliest)s to %(latest)s", earliest=earliest,
                               latest=latest))
    return day


def parse_datetime(value: Any, *, earliest: date = EARLIEST, latest: date = LATEST) -> datetime:
    """A date and time, ISO 8601 ("2026-05-03T14:30", seconds and a UTC offset optional).

    Naive unless the text carries an offset ("Z", "+02:00"); its date within [earliest, latest].
    """
    text = value.strip() if isinstance(value, str) else ""
    if not _DATETIME.fullmatch(text):
        raise InputError(M_("must be a date and time like 2026-05-03T14:30, not %(value)s",
                               value=_shown(value)))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(M_("%(value)s is not a time in the calendar", value=_shown(value))) from None
    if not earliest <= moment.date() <= latest:
        raise InputError(M_("must be a time from %(earliest)s to %(latest)s", earliest=earliest,
                               latest=latest))
    return moment


def parse_time_window(value: Any) -> tuple[datetime, datetime] | None:
    """{"start", "end"} as two times, the end after the start; None for an empty window.

    Both times carry a UTC offset or neither does: a naive and an aware time cannot be compared,
    and guessing the zone of one of them would move the window.
    """
    if value in (None, "", {}):
        return None
    if not isinstance(value, Mapping) or set(value) - {"start", "end"}:
        raise InputError(M_("needs a start and an end, and nothing else"))
    start, end = (parse_datetime(value.get(key, "")) for key in ("start", "end"))
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise InputError(M_("give both times with a UTC offset, or neither"))
    if end <= start:
        raise InputError(M_("must end after it starts"))
    return start, end


def add_duration(start: datetime, duration: timedelta) -> datetime:
    """start + duration, refused (not OverflowError) when it would leave the calendar range."""
    try:
        end = start + duration
    except OverflowError:
        raise InputError(M_("ends after %(latest)s", latest=LATEST)) from None
    if end.date() > LATEST:
        raise InputError(M_("ends after %(latest)s", latest=LATEST))
    return end


def check_text(text: str, *, multiline: bool = False) -> str:
    """`text` when it is valid Unicode without control characters (tabs and line breaks: multiline)."""
    if _SURROGATE.search(text):
        raise InputError(M_("contains characters that are not valid Unicode"))
    if (_CONTROL_TEXT if multiline else _CONTROL_LINE).search(text):
        raise InputError(M_("contains control characters"))
    return text


def parse_text(value: Any, *, max_length: int, multiline: bool = False) -> str:
    """Text, stripped, of at most `max_length` characters ("" for nothing sent)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(M_("must be text"))
    text = check_text(value.strip(), multiline=multiline)
    if len(text) > max_length:
        raise InputError(M_("is too long: %(length)s characters, at most %(maximum)s", length=len(text),
                             maximum=max_length))
    return text


def parse_choice(value: Any, choices, default: str | None = None) -> str:
    """One of `choices` (blank: `default` when there is one)."""
    if value in (None, "") and default is not None:
        return default
    if not isinstance(value, str) or value not in choices:
        raise InputError(M_("must be one of %(choices)s, not %(value)s", choices=", ".join(map(str, choices)),
                             value=_shown(value)))
    return value


def json_depth(text: str, limit: int) -> int:
    """Nesting depth of JSON text, counted without parsing; stops early past `limit`."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif mark in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str):
    raise InputError(M_("must not contain %(name)s: JSON has no such number", name=name))


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise InputError(M_("holds a number too large to use: %(number)s", number=text[:30]))
    return number


def parse_json(value: str | bytes, *, max_bytes: int = JSON_MAX_BYTES, max_depth: int = JSON_MAX_DEPTH):
    """A JSON document of at most `max_bytes`, nested at most `max_depth` deep, with valid text."""
    size = len(value) if isinstance(value, bytes) else len(value.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InputError(M_("is too large: %(size)s bytes, at most %(maximum)s", size=size,
                               maximum=max_bytes))
    try:
        text = value.decode("utf-8") if isinstance(value, bytes) else value
    except UnicodeDecodeError:
        raise InputError(M_("is not UTF-8 text")) from None
    if json_depth(text, max_depth) > max_depth:
        raise InputError(M_("is nested too deeply: at most %(depth)s levels", depth=max_depth))
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except InputError:
        raise
    except ValueError as problem:  # json.JSONDecodeError, or an integer of thousands of digits
        raise InputError(M_("is not valid JSON (%(reason)s)", reason=str(problem).split(":")[0])) from None
    check_json_text(document)
    return document


def check_json_text(document: Any) -> None:
    """Every string (keys too) of a parsed document is valid Unicode (JSON's "\\ud800" is not)."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise InputError(M_("contains text that is not valid Unicode (a lone surrogate)"))
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)

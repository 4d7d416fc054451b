"""WTForms fields and validators that read values with the domain's parsers (portal.domain.parsing).

A form field parses exactly as the rest of the request does (`portal.web.inputs`): ASCII digits,
finite bounded decimals, dates within the stated range, valid bounded text. A value that does not
parse leaves the field's data None and puts the parser's message beside the field: the field's
label and the parser's phrase as one domain Message, said in the page's language where it shows.
"""
from datetime import date
from decimal import Decimal
from typing import Any

from wtforms import Field
from wtforms.validators import ValidationError
from wtforms.widgets import NumberInput, TextInput

from portal.domain.messages import M_, Message
from portal.domain.parsing import (
    EARLIEST,
    LATEST,
    MAX_INT,
    InputError,
    check_text,
    parse_date,
    parse_decimal,
    parse_id,
    parse_int,
)
from portal.web.widgets import DateInput


def optional_id(value: Any) -> int | None:
    """Coerce of a select of records: blank is "any" (None), else an id; ValueError otherwise."""
    if value in (None, "", "None"):
        return None
    ident = parse_id(value)
    if ident is None:
        raise ValueError(M_("Not a record of the list."))
    return ident


def field_problem(label: Any, problem: InputError) -> Message:
    """A parser's refusal beside a form field: "Fee must be a number like 12.5, not 'x'."."""
    return M_("%(field)s %(problem)s.", field=label, problem=problem.message)


class ParsedField(Field):
    """A text input whose value is read by one of the domain's parsers (blank: None).

    `message` replaces the parser's own message when the form says it better in its words."""

    widget = TextInput()
    process_errors: list[str]  # set by Field.process (WTForms is untyped here)
    data: Any  # the parsed value, None when blank or not parsed

    def __init__(self, label=None, validators=None, *, message: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist) -> None:
        if not valuelist:  # not sent at all: the default stays
            return
        if not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = self.parse(valuelist[0])
        except InputError as problem:
            self.data = None
            raise ValueError(self.message or field_problem(self.label.text, problem)) from None


class WholeNumberField(ParsedField):
    """A whole number within [minimum, maximum]."""

    widget = NumberInput()

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int = MAX_INT, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, text: str) -> int:
        return parse_int(text, minimum=self.minimum, maximum=self.maximum)


class NumberField(ParsedField):
    """A finite decimal within [minimum, maximum] with at most `places` decimals."""

    def __init__(self, label=None, validators=None, *, minimum: Decimal, maximum: Decimal,
                 places: int = 2, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.places = minimum, maximum, places

    def parse(self, text: str) -> Decimal:
        return parse_decimal(text, minimum=self.minimum, maximum=self.maximum, places=self.places)


class DayField(ParsedField):
    """A date (YYYY-MM-DD) within [earliest, latest]."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, *, earliest: date = EARLIEST, latest: date = LATEST,
                 **kwargs):
        # the browser's date picker offers the same range the server accepts
        kwargs["render_kw"] = {"min": earliest.isoformat(), "max": latest.isoformat(),
                               **kwargs.get("render_kw", {})}
        super().__init__(label, validators, **kwargs)
        self.earliest, self.latest = earliest, latest

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def parse(self, text: str) -> date:
        return parse_date(text, earliest=self.earliest, latest=self.latest)


class ValidText:
    """Validator: valid Unicode without control characters (line breaks if multiline), bounded."""

    def __init__(self, max_length: int, multiline: bool = False):
        self.max_length, self.multiline = max_length, multiline

    def __call__(self, form, field) -> None:
        text = field.data or ""
        if not isinstance(text, str):
            return
        try:
            check_text(text, multiline=self.multiline)
        except InputError as problem:
            raise ValidationError(field_problem(field.label.text, problem)) from None
        if len(text) > self.max_length:
            raise ValidationError(M_("%(field)s is too long: %(length)s characters, at most %(maximum)s.",
                                     field=field.label.text, length=len(text), maximum=self.max_length))

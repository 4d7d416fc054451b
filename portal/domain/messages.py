"""Messages of the domain: English text that also carries its message id and parameters.

The domain knows no Flask and no catalog. Where it explains or refuses something it returns a
`Message`: a `str` (the English text, so logs, JSON and stored metadata read as before) that
keeps the catalog id and the parameters, so the presentation layer can say it in the page's
language (portal/web/i18n.py `translate`, applied to every template output). Parameters may be
Messages themselves (a sentence built from parts); each part is translated on its own.

    M_("{what} needs {hours} h notice", what=..., hours=...)   # extracted by the catalog tool
    MC_("callback status", "cancelled")   # with a context: one English word, two meanings

The id uses Python's %-style placeholders (`%(hours)s`), like every other catalog entry.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

# How a message reads where it is turned into text (str(), Jinja's ~): set by the presentation
# layer (portal/web/i18n.py) to say it in the request's language; None keeps the English.
_renderer: Callable[[Any], str] | None = None


def set_renderer(renderer: Callable[[Any], str] | None) -> None:
    global _renderer
    _renderer = renderer


def english(text: str) -> str:
    """The text itself (a plain str), never translated."""
    return str.__str__(text)


class Message(str):
    msgid: str
    params: dict[str, Any]
    context: str | None = None  # the catalog's msgctxt (MC_), where one English text says two things

    def __str__(self) -> str:
        return _renderer(self) if _renderer is not None else str.__str__(self)

    def __new__(cls, msgid: str, **params: Any) -> Message:
        # The text is English whatever the request speaks: parts that are Messages (or other texts
        # of ours) give their own English text, not what str() would say in the request's language.
        text = msgid % {name: str.__str__(part) if isinstance(part, str) else part
                        for name, part in params.items()} if params else msgid
        message = super().__new__(cls, text)
        message.msgid, message.params = msgid, params
        return message

    def __reduce__(self):  # pickling/copying keeps the id, the context and the parameters
        return (_rebuild, (self.msgid, self.params, self.context))


def _rebuild(msgid: str, params: dict[str, Any], context: str | None = None) -> Message:
    return MC_(context, msgid, **params) if context else Message(msgid, **params)


def MC_(context: str, msgid: str, **params: Any) -> Message:  # noqa: N802 (named like M_)
    """A Message whose id is looked up within `context` (the catalog's msgctxt)."""
    message = Message(msgid, **params)
    message.context = context
    return message


def english_text(value: Any) -> Any:
    """The English text of a Message with its parts in English too, whatever language the request
    speaks (a Message's str is built with its parts said in the request's language); amounts as
    "15.00 EUR". Any other value unchanged. What the JSON API answers."""
    if isinstance(value, Message):
        params = {name: english_text(part) for name, part in value.params.items()}
        return value.msgid % params if params else value.msgid
    if isinstance(value, str):
        return str.__str__(value)
    return value


def join(parts: list, separator: str = "; ") -> Message:
    """Parts (Messages or plain text) as one message, each part translated on its own."""
    names = {f"part{index}": part for index, part in enumerate(parts)}
    return Message(separator.replace("%", "%%").join(f"%({name})s" for name in names), **names)


class Localized(str):
    """A text stored in several languages (the event catalog's labels): the English text as the
    str, the others by language code; the presentation layer picks the page's language."""

    others: dict[str, str]

    def __new__(cls, english: str, **others: str | None) -> Localized:
        text = super().__new__(cls, english)
        text.others = {language: value for language, value in others.items() if value}
        return text

    def __str__(self) -> str:
        return _renderer(self) if _renderer is not None else str.__str__(self)

    def __reduce__(self):
        return (_localized, (str.__str__(self), self.others))


def _localized(english: str, others: dict[str, str]) -> Localized:
    return Localized(english, **others)


class Span(str):
    """A length of time in words ("1 h 13 min" in English); keeps the timedelta so that the page
    can say it in its own language (Babel's format_timedelta, portal/translations/runtime.py)."""

    delta: Any

    def __new__(cls, delta: Any, english: str) -> Span:
        text = super().__new__(cls, english)
        text.delta = delta
        return text

    def __reduce__(self):
        return (Span, (self.delta, str(self)))


class Money(str):
    """An amount in euros: "15.00 EUR" as the str (logs, JSON, stored metadata read as before);
    keeps the amount so that the page says it in its language's form with Babel (en "€15.00",
    de "15,00 €", portal/translations/runtime.py)."""

    amount: Any

    def __new__(cls, amount: Any) -> Money:
        text = super().__new__(cls, f"{amount} EUR")
        text.amount = amount
        return text

    def __reduce__(self):
        return (Money, (self.amount,))


M_ = Message


# --- a message kept in a JSON column (a modification's fee rule and checks), said later in the
# language of whoever reads it


def message_data(value: Any) -> Any:
    """JSON data from which `from_message_data` rebuilds `value` (a Message with its parts,
    amounts, spans, several-language texts, decimals); plain JSON values stay as they are."""
    if isinstance(value, Message):
        data: dict[str, Any] = {"msgid": value.msgid,
                                "params": {name: message_data(part) for name, part in value.params.items()}}
        return {**data, "context": value.context} if value.context else data
    if isinstance(value, Money):
        return {"money": str(value.amount)}
    if isinstance(value, Span):
        return {"span_seconds": value.delta.total_seconds(), "english": str.__str__(value)}
    if isinstance(value, Localized):
        return {"english": str.__str__(value), "others": dict(value.others)}
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def from_message_data(data: Any) -> Any:
    """The value `message_data` made `data` from; data of any other shape as text (a stored value
    is shown as it is rather than refused)."""
    if not isinstance(data, dict):
        return data if isinstance(data, str | int | float | bool) or data is None else str(data)
    try:
        if "msgid" in data:
            stored = dict(data.get("params") or {})
            params = {str(name): from_message_data(part) for name, part in stored.items()}
            if data.get("context"):
                return MC_(str(data["context"]), str(data["msgid"]), **params)
            return Message(str(data["msgid"]), **params)
        if "money" in data:
            return Money(Decimal(str(data["money"])))
        if "span_seconds" in data:
            return Span(timedelta(seconds=float(data["span_seconds"])), str(data["english"]))
        if "others" in data:
            others = {str(language): str(text) for language, text in dict(data["others"]).items()}
            return Localized(str(data["english"]), **others)
        if "decimal" in data:
            return Decimal(str(data["decimal"]))
    except (TypeError, ValueError, KeyError, ArithmeticError):
        pass
    return str(data)

"""Saying a domain Message (portal/domain/messages.py) in the request's language.

Used by the templates (every output, portal/web/i18n.py), flash messages and services that put a
domain explanation into a sentence of their own. Outside a request it gives the English text.
"""
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext

from portal.domain.messages import Message


def _format_number(value: Decimal | int | float) -> str:
    places = max(0, -int(value.as_tuple().exponent)) if isinstance(value, Decimal) else None
    if places is None:
        return format_decimal(value, locale=get_locale())
    return format_decimal(value, format="#,##0" + ("." + "0" * places if places else ""), locale=get_locale())


def translate(value: Any) -> Any:
    """A domain Message in the page's language (its parameters first, numbers in the locale's
    form); any other value unchanged."""
    if not isinstance(value, Message):
        return value
    params = {name: param(part) for name, part in value.params.items()}
    return gettext(value.msgid, **params) if params else gettext(value.msgid)


def param(value: Any) -> Any:
    if isinstance(value, Message):
        return translate(value)
    if isinstance(value, (Decimal, float)) and _language() != "en":
        return _format_number(value)  # English keeps the domain's own digits (10.00)
    return value




def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def translated(value: Any) -> str:
    """`value` as text of the request's language (a Message translated, anything else str())."""
    return str(translate(value))

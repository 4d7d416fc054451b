"""Saying a domain Message (portal/domain/messages.py) in the request's language.

Used by the templates (every output, portal/web/i18n.py), flash messages and services that put a
domain explanation into a sentence of their own. Outside a request it gives the English text.
"""
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from babel import Locale
from babel.dates import format_timedelta
from babel.numbers import format_currency, format_decimal
from flask import has_app_context, has_request_context
from flask.globals import _cv_app  # the app context itself (what has_app_context reads)
from flask_babel import get_locale, get_translations, gettext
from markupsafe import Markup

from portal.domain.messages import Localized, Message, Money, Span, english


def _format_number(value: Decimal | int | float) -> str:
    places = max(0, -int(value.as_tuple().exponent)) if isinstance(value, Decimal) else None
    if places is None:
        return format_decimal(value, locale=page_locale())
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=page_locale())


def money_words(amount: Any) -> str:
    """An amount in euros in the locale's form (Babel): en "€15.00", de "15,00 €"."""
    try:
        number = Decimal(str(amount))
    except ArithmeticError:
        return f"{amount} EUR"  # not a number (a stored value gone bad): shown as it is
    return _euros(number, page_locale())


@lru_cache(maxsize=4096)
def _euros(number: Decimal, locale: Locale | None) -> str:
    """Babel's formatting, kept per amount and locale: a list of 25 fees says a few amounts, and
    Babel takes some 40 µs for each. Equal amounts share an entry (15.0 and 15.00): the currency's
    own two places are what Babel writes for both."""
    return format_currency(number, "EUR", locale=locale)


def _babel_state():
    """Flask-Babel's state for this context (where it keeps the chosen locale), or None: read from
    the app context itself, not through the `g` proxy (a page asks a few thousand times)."""
    context = _cv_app.get(None)
    return getattr(context.g, "_flask_babel", None) if context is not None else None


def page_locale(state: Any = None) -> Locale | None:
    """The request's locale as Flask-Babel chose it (force_locale and refresh included), read from
    Flask-Babel's state for the context (`state`, when the caller has it) in one lookup once
    chosen: get_locale() costs four context-proxy lookups, and a page asks a few thousand times."""
    locale = getattr(state if state is not None else _babel_state(), "babel_locale", None)
    return locale if locale is not None or not has_app_context() else get_locale()


def page_catalog():
    """The compiled catalog of the request's locale, kept beside Flask-Babel's own state (its
    gettext looks the context up three times per message)."""
    state = _babel_state()
    return _catalog(state, page_locale(state))


def _kept(state: Any, name: str) -> dict:
    """A dict kept beside Flask-Babel's state for this context (a fresh one outside a context)."""
    kept = getattr(state, name, None)
    if kept is None:
        kept = {}
        if state is not None:
            setattr(state, name, kept)
    return kept


def _catalog(state: Any, locale: Locale | None):
    catalogs, key = _kept(state, "portal_catalogs"), str(locale)
    if key not in catalogs:
        catalogs[key] = get_translations()
    return catalogs[key]


PLAIN = (str, Markup, int)  # what most template outputs are: nothing to translate


def translate(value: Any) -> Any:
    """A domain Message in the page's language (its parameters first, numbers in the locale's
    form); any other value unchanged."""
    if value.__class__ in PLAIN:
        return value
    if isinstance(value, Money):
        return money_words(value.amount)
    if isinstance(value, Localized):
        return value.others.get(_language(), english(value))
    if not isinstance(value, Message):
        return value
    return _say(value)


def _say(value: Message) -> str:
    """A Message in the context's locale: from the memo, or its catalog entry with its parameters."""
    state = _babel_state()
    locale, said = page_locale(state), _kept(state, "portal_said")
    try:
        key = (locale, _identity(value))
        known = said.get(key)
    except TypeError:  # a parameter that cannot be a key (a list, say): said afresh
        key, known = None, None
    if known is not None:
        return known
    params = {name: param(part) for name, part in value.params.items()}
    if locale is None or locale.language == "en":  # the English catalog is its msgids: no lookup
        text = value.msgid  # (tests/web/test_i18n.py keeps it so)
    elif value.context:
        text = _catalog(state, locale).upgettext(value.context, value.msgid)
    else:
        text = _catalog(state, locale).ugettext(value.msgid)
    text = text % params if params else text  # as Flask-Babel's gettext does
    if key is not None:
        if len(said) >= SAID_MAX:
            said.clear()
        said[key] = text
    return text


# A page says the same few messages again and again (a one-branch policy tree: 5,360 times, 39
# different ones), so what a message says in a locale is kept for the context. Saying is a pure
# function of the message and the locale, so the memo cannot go stale.
SAID_MAX = 10_000


def _identity(value: Any) -> Any:
    """What decides how a message or parameter is said: its type and content, all the way down
    (a Money and the text "15.00 EUR" are said differently)."""
    if isinstance(value, Message):
        return (Message, value.msgid, value.context,
                tuple((name, _identity(part)) for name, part in value.params.items()))
    if isinstance(value, Money):
        return (Money, str(value.amount))
    if isinstance(value, Span):
        return (Span, value.delta)
    if isinstance(value, Localized):
        return (Localized, english(value), tuple(sorted(value.others.items())))
    return (value.__class__, value)


def param(value: Any) -> Any:
    if isinstance(value, (Message, Localized, Money)):
        return translate(value)
    if isinstance(value, Span) and _language() != "en":
        return duration_words(value.delta)
    if isinstance(value, (Decimal, float)) and _language() != "en":
        return _format_number(value)  # English keeps the domain's own digits (10.00)
    return value


def _language() -> str:
    locale = page_locale()
    return locale.language if locale is not None else "en"


def translated(value: Any) -> str:
    """`value` as text of the request's language (a Message translated, anything else str())."""
    return str(translate(value))


Unit = Literal["day", "hour", "minute"]
UNIT_KEYS: tuple[tuple[str, Unit], ...] = (("d", "day"), ("h", "hour"), ("min", "minute"))


def duration_words(delta: timedelta) -> str:
    """A span in the page's language, unit by unit with Babel (de "1 Std. 13 Min."): days and
    hours, or hours and minutes, like the English "1 h 13 min"."""
    minutes = int(abs(delta).total_seconds() // 60)
    locale = page_locale()
    if minutes < 1:
        return gettext("less than a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    units: tuple[tuple[Unit, int], ...] = (("day", days), ("hour", hours)) if days else (("hour", hours),
                                                                                         ("minute", mins))
    return " ".join(_unit_words(unit, amount, locale) for unit, amount in units if amount)


@lru_cache(maxsize=2048)
def _unit_words(unit: Unit, amount: int, locale: Locale | None) -> str:
    """"13 Min." for (minute, 13) in German: Babel's words, kept (a queue page says some fifty)."""
    return format_timedelta(timedelta(**{unit + "s": amount}), granularity=unit, threshold=100000,
                            format="short", locale=locale)


def duration_units() -> dict[str, str]:
    """The short unit words of the page's language, for the queue's live countdown (callbacks.js)."""
    locale = page_locale()
    return {key: format_timedelta(timedelta(**{unit + "s": 2}), granularity=unit, threshold=100000,
                                  format="short", locale=locale).replace("2", "", 1).strip()
            for key, unit in UNIT_KEYS}


def countdown_words() -> dict[str, str]:
    """What callbacks.js writes into a deadline tag as time passes, in the page's language."""
    return {"overdue": gettext("Overdue by %(span)s", span="{span}"),
            "due_soon": gettext("Due soon: in %(span)s", span="{span}"),
            "on_time": gettext("Due in %(span)s", span="{span}"), "less": gettext("less than a minute"),
            **({"d": "d", "h": "h", "min": "min"} if _language() == "en" else duration_units())}


def render(value: Any) -> str:
    """str() of a domain Message or Localized text: the request's language inside a request, the
    English outside (commands, sweeps, stored values)."""
    if not has_request_context():
        return english(value)
    return english(translate(value))

"""Template filters every area shares."""
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from babel.dates import get_date_format, parse_pattern
from babel.numbers import format_decimal
from flask import g, has_request_context, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from portal.domain.clock import UTC
from portal.translations.runtime import money_words, page_locale

DEFAULT_PATTERN = "%a %d %b %Y, %H:%M %Z"


def company_tz() -> str:
    """The signed-in user's company time zone (UTC for anonymous pages), looked up once a
    request: a table asks on every row, and each ask went through the user proxy three times."""
    if not has_request_context():
        return "UTC"
    zone = g.get("company_tz")
    if zone is None:
        signed_in = current_user.is_authenticated
        zone = g.company_tz = (current_user.company.timezone or "UTC") if signed_in else "UTC"
    return zone


@lru_cache(maxsize=256)
def _babel_pattern(pattern: str, locale) -> str:
    """The parts a strftime pattern asks for (weekday, date with or without year, time, seconds),
    in the locale's own CLDR forms: de `Di., 01.12.2026, 08:42`."""
    parts = []
    if "%d" in pattern:
        if "%Y" in pattern:
            day = get_date_format("medium", locale).pattern
        else:
            day = "dd.MM." if locale.language == "de" else "d MMM"
        parts.append(("EEE, " if "%a" in pattern else "") + day)
    if "%H" in pattern:
        parts.append("HH:mm:ss" if "%S" in pattern else "HH:mm")
    return ", ".join(parts)


class LocalTimes:
    """`local_time` with one pattern whose zone, language and Babel pattern are resolved once: a
    table says a time on every row, and resolving them for each cost more than the formatting."""

    __slots__ = ("_babel", "_locale", "_pattern", "_zone")

    def __init__(self, pattern: str = DEFAULT_PATTERN, tz_name: str | None = None, locale=None):
        self._pattern, self._zone = pattern, ZoneInfo(tz_name or company_tz())
        self._locale = locale if locale is not None else page_locale()
        english = self._locale is None or self._locale.language == "en"
        self._babel = (None if english or pattern == "%Z"
                       else parse_pattern(_babel_pattern(pattern, self._locale)))

    def __call__(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.replace(tzinfo=UTC).astimezone(self._zone)
        if self._locale is None or self._locale.language == "en":
            return local.strftime(self._pattern)
        text = self._babel.apply(local, self._locale) if self._babel is not None else ""
        if "%Z" in self._pattern:
            text = f"{text} {local.strftime('%Z')}".strip()
        return text


def local_time(moment: datetime | None, pattern: str = DEFAULT_PATTERN) -> str:
    """A stored (naive UTC) time as people of the company read it: in its time zone, in the
    words and order of the page's language (English keeps the strftime pattern as written)."""
    if moment is None:
        return "—"
    return _local_words(moment, company_tz(), pattern, page_locale())


@lru_cache(maxsize=8192)
def _local_words(moment: datetime, zone: str, pattern: str, locale) -> str:
    """local_time's words, kept: a list page says 25 to 50 of them on every view."""
    return LocalTimes(pattern, zone, locale)(moment)


def row_link(endpoint: str, key: str) -> str:
    """The URL of `endpoint` for any record, less the record's id at its end, from one url_for:
    a row's link is this and its id (a table otherwise builds each link 25 times over)."""
    values: dict[str, Any] = {key: 0}
    url = url_for(endpoint, **values)
    if not url.endswith("/0"):
        raise ValueError(f"{endpoint}'s URL does not end with its {key}")
    return url.removesuffix("0")


def money(amount: Decimal | float | int | None) -> str:
    """An amount in euros for people, in the locale's form (Babel): de `15,00 €`, en `€15.00`."""
    if amount is None:
        return "—"
    return money_words(amount)


def number(value: int | float | Decimal) -> str:
    """A count or quantity with the locale's digit grouping and decimal sign (de 1.234,5)."""
    return _decimal_words(value, page_locale())


@lru_cache(maxsize=4096)
def _decimal_words(value: int | float | Decimal, locale) -> str:
    """Babel's digits, kept: it takes some 40 µs a number, and a page repeats its counts."""
    return format_decimal(value, locale=locale)


def html_attrs(attrs: dict) -> Markup:
    """Attributes as HTML: a True value is a bare boolean attribute (`required`), False and None
    leave the attribute out, everything else is escaped (xmlattr would write required="True",
    which HTML does not allow)."""
    parts = [str(escape(name)) if value is True else f'{escape(name)}="{escape(value)}"'
             for name, value in attrs.items() if value is not None and value is not False]
    return Markup("".join(f" {part}" for part in parts))


def iso_utc(moment: datetime) -> str:
    """A stored (naive UTC) time as a machine-readable instant, whole seconds: 2026-05-03T12:30:00Z
    (for <time datetime> and data-* hooks; the Nu checker allows at most 3 decimals)."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def bold(value) -> Markup:
    """A value set in bold inside a translated sentence (the sentence keeps it as one message)."""
    return Markup("<strong>{}</strong>").format(value)


class RenderedEach(dict):
    """`macro`'s markup per value, rendered at its first lookup: a table whose rows repeat a few
    badges (a status, a priority) looks them up instead of calling the macro on every row, and
    renders only the ones its rows show.

    For macros whose markup depends on the value and the page's language alone (the badges): what
    one page rendered is kept for the next pages of the process, per macro and language (while
    the template that holds the macro is loaded; at most KEPT_VALUES values each)."""

    KEPT_VALUES = 64
    _kept: "WeakKeyDictionary[Any, dict[str, dict]]" = WeakKeyDictionary()

    def __init__(self, macro):
        super().__init__()
        self.macro = macro
        languages = self._kept.get(macro)
        if languages is None:
            languages = self._kept.setdefault(macro, {})
        self._shared = languages.setdefault(str(page_locale()), {})
        self.update(self._shared)

    def __missing__(self, value):
        self[value] = markup = self.macro(value)
        if len(self._shared) < self.KEPT_VALUES:
            self._shared[value] = markup
        return markup


class Once:
    """`once(macro, value)` in a template: the macro's markup for a value the page repeats (the
    same cells tuple or fee rule at many tree nodes, the same inherited value in many matrix
    cells), rendered the first time and reused after. The macros and values live for the whole
    render, so their ids stay theirs."""

    def __init__(self) -> None:
        self._made: dict[tuple[int, int], Any] = {}

    def __call__(self, macro: Callable[[Any], Any], value: Any) -> Any:
        key = (id(macro), id(value))
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = macro(value)
        return made


def register(app) -> None:
    app.add_template_global(RenderedEach, "rendered_each")
    app.add_template_global(LocalTimes, "local_times")
    app.add_template_global(row_link, "row_link")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(money, "money")
    app.add_template_filter(number, "number")
    app.add_template_filter(bold, "bold")
    app.add_template_filter(html_attrs, "html_attrs")
    app.add_template_filter(iso_utc, "iso_utc")

"""The rules of the organisation's records: names, ids, prices, durations, zones, languages.

One cleaner per kind of value, shared by the pages, the CSV import and the API: each takes what a
person or a machine sent (any type, any length) and gives back the clean value and a message a
person can act on (None when the value is fine). Nothing here reads a database.
"""
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from phonenumbers import SUPPORTED_REGIONS

from portal.domain.messages import M_

LANGUAGES = ("de", "en")
LANGUAGE_LABELS = {"de": "Deutsch", "en": "English"}
CONSENT_CHANNELS = ("email", "sms", "whatsapp", "push")
NAME_MAX = 200
CITY_MAX = 120
EMAIL_MAX = 255
EXTERNAL_ID_MAX = 100
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PRICE_MAX = Decimal("99999999.99")  # Numeric(10, 2)
DURATION_MAX = 24 * 60
TRUE_WORDS = {"1", "yes", "y", "true", "ja", "active", "aktiv", "x"}
FALSE_WORDS = {"0", "no", "n", "false", "nein", "inactive", "inaktiv"}
# Unicode categories no name needs: controls, unassigned code points, surrogates, private use.
REFUSED_CATEGORIES = {"Cc", "Cn", "Cs", "Co"}

Cleaned = tuple[Any, str | None]


def clean_text(value: Any, what: str, limit: int, required: bool = True) -> Cleaned:
    """Text as stored: NFC, trimmed, within `limit` characters, no control characters.

    An empty optional value is None. `what` names the value in the message ("The name").
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        return None, M_("%(what)s must be text.", what=what)
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return None, M_("%(what)s is required.", what=what) if required else None
    if len(text) > limit:
        return None, M_("%(what)s is too long: %(length)s characters, at most %(maximum)s.", what=what,
                        length=len(text), maximum=limit)
    if any(unicodedata.category(char) in REFUSED_CATEGORIES for char in text):
        return None, M_("%(what)s contains a control or unassigned character; type it again.", what=what)
    return text, None


THE_NAME = M_("The name")


def clean_name(value: Any, what: str = THE_NAME) -> Cleaned:
    return clean_text(value, what, NAME_MAX)


def clean_external_id(value: Any) -> Cleaned:
    """The booking system's id: optional, at most 100 characters, no white space inside."""
    text, error = clean_text(value, M_("The external id"), EXTERNAL_ID_MAX, required=False)
    if error or text is None:
        return None, error
    if any(char.isspace() for char in text):
        return None, M_("The external id cannot contain spaces.")
    return text, None


def clean_email(value: Any, required: bool = False) -> Cleaned:
    text, error = clean_text(value, M_("The email address"), EMAIL_MAX, required=required)
    if error or text is None:
        return None, error
    if not EMAIL.fullmatch(text):
        return None, M_("“%(text)s” is not an email address (name@example.com).", text=text[:60])
    return text.lower(), None


def clean_slug(value: Any) -> Cleaned:
    text, error = clean_text(value, M_("The slug"), 80)
    if error or text is None:
        return None, error
    if not SLUG.fullmatch(text):
        return None, M_("The slug takes lower-case letters a–z, digits and dashes (e.g. salon-schmidt).")
    return text, None


def parse_price(value: Any) -> Cleaned:
    """A price in EUR: "35", "35.5", "35,50" or empty (no price); never negative, two decimals."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        value = str(value)
    text, error = clean_text(value, M_("The price"), 20, required=False)
    if error or text is None:
        return None, error
    normal = text.removesuffix("€").removesuffix("EUR").strip().replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,8}(\.[0-9]{1,2})?", normal):  # ASCII digits: \d takes any script
        return None, M_("“%(text)s” is not an amount in EUR: write it like 35.00 (at most two decimals).",
                        text=text)
    try:
        price = Decimal(normal).quantize(Decimal("0.01"))
    except InvalidOperation:  # the pattern above leaves nothing Decimal refuses; kept for safety
        return None, M_("“%(text)s” is not an amount in EUR.", text=text)
    return (price, None) if price <= PRICE_MAX else (None, M_("The price is too high."))


def parse_duration(value: Any) -> Cleaned:
    """A duration in whole minutes, 1 to 1440."""
    text, error = clean_text(str(value) if isinstance(value, int) else value, M_("The duration"), 10)
    if error or text is None:
        return None, error
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= DURATION_MAX:
        return None, M_("“%(text)s” is not a duration: give whole minutes from 1 to %(maximum)s.", text=text,
                        maximum=DURATION_MAX)
    return int(text), None


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(value: Any, required: bool = True) -> Cleaned:
    text, error = clean_text(value, M_("The time zone"), 64, required=required)
    if error or text is None:
        return None, error
    if text not in time_zones():
        return None, M_("“%(text)s” is not a time zone: use a name like Europe/Berlin.", text=text)
    return text, None


def check_region(value: Any) -> Cleaned:
    """A phone region: two letters known to the phone number rules (DE, AT, CH, …)."""
    text, error = clean_text(value, M_("The phone region"), 2)
    if error or text is None:
        return None, error
    code = text.upper()
    if code not in SUPPORTED_REGIONS:
        return None, M_("“%(text)s” is not a country code for phone numbers (e.g. DE, AT, CH).", text=text)
    return code, None


def check_language(value: Any, required: bool = True) -> Cleaned:
    text, error = clean_text(value, M_("The language"), 5, required=required)
    if error or text is None:
        return None, error
    if text.lower() not in LANGUAGES:
        return None, M_("The language is de (Deutsch) or en (English).")
    return text.lower(), None


ACTIVE = M_("Active")


def parse_flag(value: Any, what: str = ACTIVE) -> Cleaned:
    """yes/no in the words people type into a spreadsheet; empty is None (not given)."""
    if isinstance(value, bool):
        return value, None
    text, error = clean_text(value, what, 10, required=False)
    if error or text is None:
        return None, error
    if text.lower() in TRUE_WORDS:
        return True, None
    if text.lower() in FALSE_WORDS:
        return False, None
    return None, M_("%(what)s: “%(text)s” is neither yes nor no.", what=what, text=text)


def clean_consents(value: Any) -> Cleaned:
    """{channel: True | False} for the four channels; a channel left out was never asked."""
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return None, M_("Consents are given per channel, e.g. {\"email\": true, \"sms\": false}.")
    unknown = sorted(str(key)[:20] for key in value if key not in CONSENT_CHANNELS)
    if unknown:
        return None, M_("Unknown channel %(channel)s: the channels are %(channels)s.",
                        channel=repr(unknown[0]), channels=", ".join(CONSENT_CHANNELS))
    if any(not isinstance(given, bool) for given in value.values()):
        return None, M_("Each consent is true or false.")
    return {channel: value[channel] for channel in CONSENT_CHANNELS if channel in value}, None


def may_contact(consents: dict, channel: str) -> bool:
    """Whether a customer may be contacted on `channel`: only with consent given (DESIGN §11)."""
    return consents.get(channel) is True

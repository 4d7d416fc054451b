"""The variables a notification template receives, formatted for the recipient's language in the
company's (or branch's) time zone (DESIGN §12)."""
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_currency

from portal.domain.clock import to_local
from portal.models import Appointment, CallbackRequest

DATETIME_FORMAT = {"de": "EEE, d. MMM y, HH:mm", "en": "EEE d MMM y, h:mm a"}


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@lru_cache(maxsize=4096)  # an appointment's reminders share its time; Babel's formatting is slow
def when(moment: datetime, language: str, zone: str) -> str:
    """A stored (naive UTC) time as the customer reads it: "Mo., 7. Dez. 2026, 10:00"."""
    return local_when(to_local(moment, zone), language)


def local_when(moment: datetime, language: str) -> str:
    """A local time as a customer of `language` reads it (the samples of a template preview)."""
    return format_datetime(moment, DATETIME_FORMAT.get(language, "medium"), locale=_locale(language))


@lru_cache(maxsize=1024)
def money(amount: Decimal | float | int, language: str) -> str:
    return format_currency(Decimal(amount), "EUR", locale=_locale(language))


def plain(value, language: str, zone: str):
    """A value the caller gave, as text: times local, amounts in EUR, the rest as is."""
    if isinstance(value, datetime):
        return when(value, language, zone)
    if isinstance(value, Decimal):
        return money(value, language)
    return value


def zone_of(appointment: Appointment | None, callback: CallbackRequest | None, company_zone: str) -> str:
    source = appointment if appointment is not None else callback
    branch = source.branch if source is not None else None
    return (branch.timezone if branch is not None and branch.timezone else None) or company_zone or "UTC"


def appointment_values(appointment: Appointment, language: str, zone: str) -> dict:
    return {
        "customer_name": appointment.customer.name,
        "service_name": appointment.service.name,
        "staff_name": appointment.staff.name if appointment.staff is not None else "",
        "branch_name": appointment.branch.name,
        "starts_at": when(appointment.starts_at, language, zone),
        "price": money(appointment.price, language) if appointment.price is not None else "",
    }


def callback_values(callback: CallbackRequest, language: str, zone: str) -> dict:
    return {
        "customer_name": callback.customer_name,
        "branch_name": callback.branch.name if callback.branch is not None else "",
        "phone_number": callback.phone_number,
        "sla_deadline": when(callback.expires_at, language, zone),
    }


def event_values(appointment: Appointment | None, callback: CallbackRequest | None, extra: Mapping | None,
                 language: str, zone: str) -> dict:
    values: dict = {}
    if appointment is not None:
        values.update(appointment_values(appointment, language, zone))
    if callback is not None:
        values.update(callback_values(callback, language, zone))
    values.update({name: plain(value, language, zone) for name, value in (extra or {}).items()})
    return values

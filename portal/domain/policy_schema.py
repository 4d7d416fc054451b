"""The four policy types, their keys, and validation of a config a person typed in.

Stored (clean) values are JSON-safe and exact:
- whole numbers are ints; limit keys may instead hold the string "unlimited" (an explicit
  "no limit" that lets a lower level lift a parent's limit — JSON null would be ambiguous);
- money and percentages are strings with exactly two decimals ("12.50", "50.00");
- flags are bools; fee_tiers is a list of {min_hours, fee | fee_percentage}, sorted by
  min_hours descending (the order in which fee rules pick the first matching tier).
"""
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portal.domain.parsing import InputError, parse_decimal, parse_int, parse_json

UNLIMITED = "unlimited"
POLICY_TYPES = ("cancellation", "reschedule", "recurring", "callback")

INT, DECIMAL, PERCENTAGE, BOOL, TIERS = "int", "decimal", "percentage", "bool", "tiers"
MAX_MONEY = Decimal("99999999.99")  # fits the decimal(10,2) columns fees are recorded in
CENT = Decimal("0.01")
MAX_WHOLE = 1_000_000  # hours, minutes, counts: a million of any is beyond every real setting
_ANY_AMOUNT = Decimal("1e20")  # read any amount that fits 20 digits; the keys' own bounds follow
TIERS_MAX, TIERS_MAX_BYTES = 50, 8 * 1024
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}


@dataclass(frozen=True)
class KeySpec:
    """One setting of a policy type, as forms and validation see it."""

    name: str
    label: str
    kind: str
    help: str = ""
    unit: str | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    allows_unlimited: bool = False


def _hours_before(subject: str) -> KeySpec:
    return KeySpec("hours_before", "Hours before", INT, f"Notice needed to {subject} without "
                   "staff help, in hours before the appointment starts.", "h", 0)


def _money_keys(subject: str) -> tuple[KeySpec, ...]:
    return (
        KeySpec("fee", "Fee", DECIMAL, f"Fixed fee charged for a {subject}, used when no tiers "
                "are set.", "EUR", Decimal(0), MAX_MONEY),
        KeySpec("fee_percentage", "Fee percentage", PERCENTAGE, "Share of the appointment price "
                "charged when neither tiers nor a fixed fee are set.", "%", Decimal(0), Decimal(100)),
        KeySpec("fee_tiers", "Fee tiers", TIERS, "Fees by notice: the first tier whose minimum "
                "hours the notice reaches applies; a shorter notice pays the smallest tier. Each "
                "tier sets a fee or a percentage."),
    )


def _reason_key(subject: str) -> KeySpec:
    return KeySpec("require_reason", "Require reason", BOOL,
                   f"The customer must give a reason to {subject}.")


SCHEMAS: dict[str, tuple[KeySpec, ...]] = {
    "cancellation": (
        _hours_before("cancel"), *_money_keys("cancellation"),
        KeySpec("max_cancellations_per_month", "Max cancellations per month", INT,
                "Per customer, over a rolling 30 days.", None, 0, None, True),
        _reason_key("cancel"),
    ),
    "reschedule": (
        _hours_before("reschedule"), *_money_keys("reschedule"),
        KeySpec("max_reschedules_per_appointment", "Max reschedules per appointment", INT,
                "How often one appointment may be moved.", None, 0, None, True),
        KeySpec("max_reschedules_per_month", "Max reschedules per month", INT,
                "Per customer, over a rolling 30 days.", None, 0, None, True),
        _reason_key("reschedule"),
    ),
    "recurring": (
        KeySpec("allow_partial_cancel", "Allow partial cancel", BOOL,
                "Customers may cancel single appointments of a series."),
        KeySpec("require_full_series_notice", "Require full series notice", BOOL,
                "Cancelling the whole series needs the notice below."),
        KeySpec("full_series_hours_before", "Full series hours before", INT,
                "Notice needed to cancel a whole series.", "h", 0),
        KeySpec("partial_cancel_fee_percentage", "Partial cancel fee percentage", PERCENTAGE,
                "Share of the price charged for cancelling part of a series.", "%",
                Decimal(0), Decimal(100)),
    ),
    "callback": (
        KeySpec("sla_minutes_urgent", "SLA for urgent callbacks", INT,
                "Minutes until an urgent callback is overdue.", "min", 1),
        KeySpec("sla_minutes_high", "SLA for high priority callbacks", INT,
                "Minutes until a high priority callback is overdue.", "min", 1),
        KeySpec("sla_minutes_normal", "SLA for normal callbacks", INT,
                "Minutes until a normal callback is overdue.", "min", 1),
        KeySpec("max_contact_attempts", "Max contact attempts", INT,
                "Failed attempts before the callback is escalated.", None, 1),
        KeySpec("due_soon_minutes", "Due soon warning", INT,
                "Minutes before the deadline when a callback shows as due soon.", "min", 0),
        KeySpec("expire_after_hours", "Expire after hours", INT, "Open callbacks this long past "
                "their deadline become expired. Unset or unlimited: never.", "h", 0, None, True),
    ),
}

# Keys that resolve as one setting (DESIGN §3): all come from the most specific level that sets
# any of them. The fee rule is one setting, so a service's 50 % beats the company's fixed 15 EUR.
FEE_KEYS = ("fee_tiers", "fee", "fee_percentage")
KEY_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "cancellation": (FEE_KEYS,), "reschedule": (FEE_KEYS,), "recurring": (), "callback": (),
}

TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    "cancellation": {},
    "reschedule": {},
    "recurring": {},
    "callback": {
        "sla_minutes_urgent": 60,
        "sla_minutes_high": 240,
        "sla_minutes_normal": 1440,
        "max_contact_attempts": 3,
        "due_soon_minutes": 30,
    },
}


def key_specs(policy_type: str) -> tuple[KeySpec, ...]:
    """Return the settings of a policy type in display order; ValueError if the type is unknown."""
    try:
        return SCHEMAS[policy_type]
    except KeyError:
        raise ValueError(f"Unknown policy type {policy_type!r}") from None


class InvalidValue(ValueError):
    """A value a person typed does not fit its setting; the message is meant for them."""


def validate_config(policy_type: str, raw: Mapping[str, Any]) -> tuple[dict, dict[str, str]]:
    """Check and normalise a config; return (clean config in display order, errors by key).

    Values may be form strings ("24", "true", "unlimited", "12,50", JSON text for tiers) or
    JSON-native values. An empty string or None means "not set here", so the key is dropped.
    """
    specs = {spec.name: spec for spec in key_specs(policy_type)}
    if not isinstance(raw, Mapping):
        return {}, {"config": "Settings must be a set of named values"}
    errors = {str(key): f"Unknown setting '{key}' for {policy_type} policies"
              for key in raw if key not in specs}
    clean = {}
    for name, spec in specs.items():
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            clean[name] = clean_value(spec, value)
        except InvalidValue as problem:
            errors[name] = str(problem)
    return clean, errors


def clean_value(spec: KeySpec, value: Any) -> Any:
    """Return the stored form of one non-blank value; raise InvalidValue with a readable message."""
    if spec.allows_unlimited and isinstance(value, str) and value.strip().lower() == UNLIMITED:
        return UNLIMITED
    if spec.kind == INT:
        # Every whole-number setting declares an int minimum; 0 stands in should one not.
        minimum = spec.minimum if isinstance(spec.minimum, int) else 0
        return _clean_int(value, spec.label, minimum, spec.allows_unlimited)
    if spec.kind == BOOL:
        return _clean_bool(value, spec.label)
    if spec.kind == DECIMAL:
        return _clean_money(value, spec.label)
    if spec.kind == PERCENTAGE:
        return _clean_percentage(value, spec.label)
    return _clean_tiers(value)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_int(value: Any, label: str, minimum: int, allows_unlimited: bool = False) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        number = parse_int(value, minimum=minimum, maximum=10**20)
    except InputError:
        tail = ", or 'unlimited'" if allows_unlimited else ""
        raise InvalidValue(f"{label} must be a whole number of {minimum} or more{tail}") from None
    if number > MAX_WHOLE:
        raise InvalidValue(f"{label} must be at most {MAX_WHOLE}")
    return number


def _clean_bool(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise InvalidValue(f"{label} must be yes or no")


def _to_decimal(value: Any) -> Decimal | None:
    """Read a finite number from a form string ("12.5", "12,50") or a number; None otherwise.

    Any number of decimals is read here, so that "12.505" is told it has too many."""
    try:
        return parse_decimal(value, minimum=-_ANY_AMOUNT, maximum=_ANY_AMOUNT, places=20)
    except InputError:
        return None


def _check_cents(number: Decimal, label: str) -> str:
    if number != number.quantize(CENT):
        raise InvalidValue(f"{label} must have at most 2 decimals")
    return str(number.quantize(CENT))


def _clean_money(value: Any, label: str) -> str:
    number = _to_decimal(value)
    if number is None or number < 0:
        raise InvalidValue(f"{label} must be an amount in EUR of 0 or more")
    if number > MAX_MONEY:
        raise InvalidValue(f"{label} must be at most {MAX_MONEY} EUR")
    return _check_cents(number, label)


def _clean_percentage(value: Any, label: str) -> str:
    number = _to_decimal(value)
    if number is None:
        raise InvalidValue(f"{label} must be a number between 0 and 100")
    if not 0 <= number <= 100:
        raise InvalidValue(f"{label} must be between 0 and 100")
    return _check_cents(number, label)


def _clean_tiers(value: Any) -> list[dict]:
    """Fee tiers: each {min_hours, fee | fee_percentage}, distinct min_hours, sorted descending."""
    if isinstance(value, str):
        try:
            value = parse_json(value, max_bytes=TIERS_MAX_BYTES, max_depth=3)
        except InputError as problem:
            if str(problem).startswith("is not valid JSON"):
                raise InvalidValue("Fee tiers must be a list of tiers (not valid JSON)") from None
            raise InvalidValue(f"Fee tiers must be a list of tiers: the text {problem}") from None
    if not isinstance(value, list):
        raise InvalidValue("Fee tiers must be a list of tiers")
    if len(value) > TIERS_MAX:
        raise InvalidValue(f"Fee tiers: at most {TIERS_MAX} tiers")
    tiers: list[dict] = []
    seen: dict[int, int] = {}
    for number, tier in enumerate(value, start=1):
        clean = _clean_tier(number, tier)
        if clean["min_hours"] in seen:
            raise InvalidValue(f"Fee tiers: tier {number} has the same min hours "
                           f"({clean['min_hours']}) as tier {seen[clean['min_hours']]}")
        seen[clean["min_hours"]] = number
        tiers.append(clean)
    return sorted(tiers, key=lambda tier: tier["min_hours"], reverse=True)


def _clean_tier(number: int, tier: Any) -> dict:
    prefix = f"Fee tiers: tier {number}"
    if not isinstance(tier, Mapping):
        raise InvalidValue(f"{prefix} must have min_hours and a fee or fee_percentage")
    unknown = sorted(str(key) for key in tier if key not in ("min_hours", "fee", "fee_percentage"))
    if unknown:
        raise InvalidValue(f"{prefix} has an unknown setting '{unknown[0]}'")
    if _is_blank(tier.get("min_hours")):
        raise InvalidValue(f"{prefix} is missing min_hours")
    has_fee, has_percentage = (not _is_blank(tier.get(key)) for key in ("fee", "fee_percentage"))
    if has_fee == has_percentage:
        raise InvalidValue(f"{prefix} must set either a fee or a fee_percentage, not "
                       + ("both" if has_fee else "neither"))
    clean: dict[str, int | str] = {"min_hours": _clean_int(tier["min_hours"], f"{prefix} min_hours", 0)}
    if has_fee:
        clean["fee"] = _clean_money(tier["fee"], f"{prefix} fee")
    else:
        clean["fee_percentage"] = _clean_percentage(tier["fee_percentage"],
                                                    f"{prefix} fee_percentage")
    return clean


def display_value(policy_type: str, key: str, value: Any) -> str:
    """Format a stored value for people: "24 h", "12.50 EUR", "no limit", "yes"."""
    spec = {spec.name: spec for spec in key_specs(policy_type)}.get(key)
    if value == UNLIMITED:
        return "no limit"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec is not None and spec.kind == TIERS and isinstance(value, list):
        return "; ".join(_display_tier(tier) for tier in value) or "no tiers"
    unit = spec.unit if spec is not None else None
    return f"{value} {unit}" if unit else str(value)


def _display_tier(tier: Mapping) -> str:
    charge = f"{tier['fee']} EUR" if "fee" in tier else f"{tier.get('fee_percentage')} %"
    return f"from {tier.get('min_hours')} h: {charge}"

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

from portal.domain.messages import M_, Money, join
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


_NOTICE_HELP = {
    "cancel": M_("Notice needed to cancel without staff help, in hours before the appointment starts."),
    "reschedule": M_("Notice needed to reschedule without staff help, in hours before the appointment "
                     "starts."),
}
_FEE_HELP = {
    "cancellation": M_("Fixed fee charged for a cancellation, used when no tiers are set."),
    "reschedule": M_("Fixed fee charged for a reschedule, used when no tiers are set."),
}
_REASON_HELP = {
    "cancel": M_("The customer must give a reason to cancel."),
    "reschedule": M_("The customer must give a reason to reschedule."),
}


def _hours_before(subject: str) -> KeySpec:
    return KeySpec("hours_before", M_("Hours before"), INT, _NOTICE_HELP[subject], "h", 0)


def _money_keys(subject: str) -> tuple[KeySpec, ...]:
    return (
        KeySpec("fee", M_("Fee"), DECIMAL, _FEE_HELP[subject], "EUR", Decimal(0), MAX_MONEY),
        KeySpec("fee_percentage", M_("Fee percentage"), PERCENTAGE, M_(
            "Share of the appointment price charged when neither tiers nor a fixed fee are set."),
            "%", Decimal(0), Decimal(100)),
        KeySpec("fee_tiers", M_("Fee tiers"), TIERS, M_(
            "Fees by notice: the first tier whose minimum hours the notice reaches applies; a shorter "
            "notice pays the smallest tier. Each tier sets a fee or a percentage.")),
    )


def _reason_key(subject: str) -> KeySpec:
    return KeySpec("require_reason", M_("Require reason"), BOOL, _REASON_HELP[subject])


SCHEMAS: dict[str, tuple[KeySpec, ...]] = {
    "cancellation": (
        _hours_before("cancel"), *_money_keys("cancellation"),
        KeySpec("max_cancellations_per_month", M_("Max cancellations per month"), INT,
                M_("Per customer, over a rolling 30 days."), None, 0, None, True),
        _reason_key("cancel"),
    ),
    "reschedule": (
        _hours_before("reschedule"), *_money_keys("reschedule"),
        KeySpec("max_reschedules_per_appointment", M_("Max reschedules per appointment"), INT,
                M_("How often one appointment may be moved."), None, 0, None, True),
        KeySpec("max_reschedules_per_month", M_("Max reschedules per month"), INT,
                M_("Per customer, over a rolling 30 days."), None, 0, None, True),
        _reason_key("reschedule"),
    ),
    "recurring": (
        KeySpec("allow_partial_cancel", M_("Allow partial cancel"), BOOL,
                M_("Customers may cancel single appointments of a series.")),
        KeySpec("require_full_series_notice", M_("Require full series notice"), BOOL,
                M_("Cancelling the whole series needs the notice below.")),
        KeySpec("full_series_hours_before", M_("Full series hours before"), INT,
                M_("Notice needed to cancel a whole series."), "h", 0),
        KeySpec("partial_cancel_fee_percentage", M_("Partial cancel fee percentage"), PERCENTAGE,
                M_("Share of the price charged for cancelling part of a series."), "%",
                Decimal(0), Decimal(100)),
    ),
    "callback": (
        KeySpec("sla_minutes_urgent", M_("SLA for urgent callbacks"), INT,
                M_("Minutes until an urgent callback is overdue."), "min", 1),
        KeySpec("sla_minutes_high", M_("SLA for high priority callbacks"), INT,
                M_("Minutes until a high priority callback is overdue."), "min", 1),
        KeySpec("sla_minutes_normal", M_("SLA for normal callbacks"), INT,
                M_("Minutes until a normal callback is overdue."), "min", 1),
        KeySpec("max_contact_attempts", M_("Max contact attempts"), INT,
                M_("Failed attempts before the callback is escalated."), None, 1),
        KeySpec("due_soon_minutes", M_("Due soon warning"), INT,
                M_("Minutes before the deadline when a callback shows as due soon."), "min", 0),
        KeySpec("expire_after_hours", M_("Expire after hours"), INT,
                M_("Open callbacks this long past their deadline become expired. Unset or unlimited: never."),
                "h", 0, None, True),
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
        return {}, {"config": M_("Settings must be a set of named values")}
    errors: dict[str, str] = {
        str(key): M_("Unknown setting '%(key)s' for %(type)s policies", key=key, type=policy_type)
        for key in raw if key not in specs}
    clean = {}
    for name, spec in specs.items():
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            clean[name] = clean_value(spec, value)
        except InvalidValue as problem:
            message = problem.args[0] if problem.args else None
            errors[name] = message if isinstance(message, str) else str(problem)
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
        if allows_unlimited:
            raise InvalidValue(M_("%(label)s must be a whole number of %(minimum)s or more, or 'unlimited'",
                                  label=label, minimum=minimum)) from None
        raise InvalidValue(M_("%(label)s must be a whole number of %(minimum)s or more", label=label,
                              minimum=minimum)) from None
    if number > MAX_WHOLE:
        raise InvalidValue(M_("%(label)s must be at most %(maximum)s", label=label, maximum=MAX_WHOLE))
    return number


def _clean_bool(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise InvalidValue(M_("%(label)s must be yes or no", label=label))


def _to_decimal(value: Any) -> Decimal | None:
    """Read a finite number from a form string ("12.5", "12,50") or a number; None otherwise.

    Any number of decimals is read here, so that "12.505" is told it has too many."""
    try:
        return parse_decimal(value, minimum=-_ANY_AMOUNT, maximum=_ANY_AMOUNT, places=20)
    except InputError:
        return None


def _check_cents(number: Decimal, label: str) -> str:
    if number != number.quantize(CENT):
        raise InvalidValue(M_("%(label)s must have at most 2 decimals", label=label))
    return str(number.quantize(CENT))


def _clean_money(value: Any, label: str) -> str:
    number = _to_decimal(value)
    if number is None or number < 0:
        raise InvalidValue(M_("%(label)s must be an amount in EUR of 0 or more", label=label))
    if number > MAX_MONEY:
        raise InvalidValue(M_("%(label)s must be at most %(maximum)s", label=label, maximum=Money(MAX_MONEY)))
    return _check_cents(number, label)


def _clean_percentage(value: Any, label: str) -> str:
    number = _to_decimal(value)
    if number is None:
        raise InvalidValue(M_("%(label)s must be a number between 0 and 100", label=label))
    if not 0 <= number <= 100:
        raise InvalidValue(M_("%(label)s must be between 0 and 100", label=label))
    return _check_cents(number, label)


def _clean_tiers(value: Any) -> list[dict]:
    """Fee tiers: each {min_hours, fee | fee_percentage}, distinct min_hours, sorted descending."""
    if isinstance(value, str):
        try:
            value = parse_json(value, max_bytes=TIERS_MAX_BYTES, max_depth=3)
        except InputError as problem:
            if problem.message.msgid.startswith("is not valid JSON"):
                raise InvalidValue(M_("Fee tiers must be a list of tiers (not valid JSON)")) from None
            raise InvalidValue(M_("Fee tiers must be a list of tiers: the text %(problem)s",
                                  problem=problem.message)) from None
    if not isinstance(value, list):
        raise InvalidValue(M_("Fee tiers must be a list of tiers"))
    if len(value) > TIERS_MAX:
        raise InvalidValue(M_("Fee tiers: at most %(count)s tiers", count=TIERS_MAX))
    tiers: list[dict] = []
    seen: dict[int, int] = {}
    for number, tier in enumerate(value, start=1):
        clean = _clean_tier(number, tier)
        if clean["min_hours"] in seen:
            raise InvalidValue(M_("Fee tiers: tier %(number)s has the same min hours (%(hours)s) as tier "
                                  "%(other)s",
                                  number=number, hours=clean["min_hours"], other=seen[clean["min_hours"]]))
        seen[clean["min_hours"]] = number
        tiers.append(clean)
    return sorted(tiers, key=lambda tier: tier["min_hours"], reverse=True)


def _clean_tier(number: int, tier: Any) -> dict:
    prefix = M_("Fee tiers: tier %(number)s", number=number)
    if not isinstance(tier, Mapping):
        raise InvalidValue(M_("%(prefix)s must have min_hours and a fee or fee_percentage", prefix=prefix))
    unknown = sorted(str(key) for key in tier if key not in ("min_hours", "fee", "fee_percentage"))
    if unknown:
        raise InvalidValue(M_("%(prefix)s has an unknown setting '%(key)s'", prefix=prefix, key=unknown[0]))
    if _is_blank(tier.get("min_hours")):
        raise InvalidValue(M_("%(prefix)s is missing min_hours", prefix=prefix))
    has_fee, has_percentage = (not _is_blank(tier.get(key)) for key in ("fee", "fee_percentage"))
    if has_fee == has_percentage:
        raise InvalidValue(M_("%(prefix)s must set either a fee or a fee_percentage, not both", prefix=prefix)
                           if has_fee else
                           M_("%(prefix)s must set either a fee or a fee_percentage, not neither",
                              prefix=prefix))
    clean: dict[str, int | str] = {"min_hours": _clean_int(tier["min_hours"], M_("%(prefix)s min_hours",
                                                                                 prefix=prefix), 0)}
    if has_fee:
        clean["fee"] = _clean_money(tier["fee"], M_("%(prefix)s fee", prefix=prefix))
    else:
        clean["fee_percentage"] = _clean_percentage(tier["fee_percentage"],
                                                    M_("%(prefix)s fee_percentage", prefix=prefix))
    return clean


def display_value(policy_type: str, key: str, value: Any) -> str:
    """Format a stored value for people: "24 h", "12.50 EUR", "no limit", "yes"."""
    spec = {spec.name: spec for spec in key_specs(policy_type)}.get(key)
    if value == UNLIMITED:
        return M_("no limit")
    if isinstance(value, bool):
        return M_("yes") if value else M_("no")
    if spec is not None and spec.kind == TIERS and isinstance(value, list):
        return join([_display_tier(tier) for tier in value]) if value else M_("no tiers")
    unit = spec.unit if spec is not None else None
    if spec is not None and spec.kind in (DECIMAL, PERCENTAGE):
        value = _as_decimal(value)
    return with_unit(value, unit) if unit else str(value)


def with_unit(value: Any, unit: str) -> str:
    """"24 h", "12.50 EUR", "50.00 %": a value with its unit, translatable (de "12,50 €")."""
    if unit == "h":
        return M_("%(value)s h", value=value)
    if unit == "min":
        return M_("%(value)s min", value=value)
    if unit == "EUR":
        return Money(value)
    if unit == "%":
        return M_("%(value)s %%", value=value)
    return f"{value} {unit}"


def _as_decimal(value: Any) -> Any:
    try:
        return Decimal(str(value))
    except (ArithmeticError, ValueError):
        return value


def _display_tier(tier: Mapping) -> str:
    charge = (with_unit(_as_decimal(tier["fee"]), "EUR") if "fee" in tier
              else with_unit(_as_decimal(tier.get("fee_percentage")), "%"))
    return M_("from %(hours)s h: %(charge)s", hours=tier.get("min_hours"), charge=charge)

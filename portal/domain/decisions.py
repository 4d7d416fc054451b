"""Policy decisions: may an appointment be cancelled or rescheduled at `now`, and at what fee.

The rules (DESIGN §3), applied to the effective policy of the appointment's path:
- hours of notice = starts_at − now, in hours (negative once the appointment has started);
- denied when the notice is under `hours_before`, when the customer's modifications of that kind
  in the rolling 30 days reach the monthly limit, or (reschedule) when this appointment was
  already moved `max_reschedules_per_appointment` times; "unlimited" and unset limits never deny;
- fee: one rule, from the most specific level setting any fee key (the resolver applies the
  group); within it the first tier (min_hours descending) whose min_hours ≤ notice, and the tier
  with the smallest min_hours when the notice reaches none (negative notice too: a shorter notice
  is never cheaper); without tiers the fixed `fee`; else `fee_percentage` of the price (0 without
  a price); else nothing — no hidden fee. The explanation names the rule and where it comes from.

Recurring series (the `recurring` policy): a single appointment of a series is refused when
`allow_partial_cancel` is no, and costs `partial_cancel_fee_percentage` of its price when that is
set (it replaces the cancellation fee rules: it is the more specific rule). Cancelling this and
every following appointment of the series needs `full_series_hours_before` notice when
`require_full_series_notice` is yes; its fee is the cancellation fee of each appointment, summed.

Pure: no database, no Flask; `now` and the customer's counts are inputs.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from portal.domain.messages import M_, Money
from portal.domain.policies import Effective, Source
from portal.domain.policy_schema import UNLIMITED, display_value, key_specs

CANCEL, RESCHEDULE = "cancel", "reschedule"
ACTIONS = (CANCEL, RESCHEDULE)
SINGLE, SERIES = "single", "series"
POLICY_TYPE = {CANCEL: "cancellation", RESCHEDULE: "reschedule"}
MONTHLY_KEY = {CANCEL: "max_cancellations_per_month", RESCHEDULE: "max_reschedules_per_month"}
NOUN = {CANCEL: M_("Cancellation"), RESCHEDULE: M_("Rescheduling")}
ROLLING_DAYS = 30
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_HOUR = Decimal(3_600_000_000)  # microseconds


def rolling_window(now: datetime, days: int = ROLLING_DAYS) -> tuple[datetime, datetime]:
    """(start, end) of the rolling window ending at `now`: a modification counts when
    start < created_at ≤ end, so one made exactly `days` days ago has just aged out."""
    return now - timedelta(days=days), now


@dataclass(frozen=True)
class Occurrence:
    """One appointment as the rules see it."""

    starts_at: datetime
    price: Decimal | None = None


@dataclass(frozen=True)
class ModificationRequest:
    """What is asked, with the counts the quotas need (exact, at decision time)."""

    action: str
    appointment: Occurrence
    rolling_count: int = 0  # the customer's modifications of this kind in the rolling 30 days
    reschedule_count: int = 0  # how often this appointment was moved already
    in_series: bool = False
    whole_series: bool = False  # cancel this and every following appointment of the series
    following: tuple[Occurrence, ...] = ()  # those following appointments

    @property
    def scope(self) -> str:
        return SERIES if self.whole_series else SINGLE


@dataclass(frozen=True)
class RuleUsed:
    """A policy value the decision used, and where it comes from."""

    policy_type: str
    key: str
    label: str
    value: Any
    shown: str
    source: str  # "Branch Mitte" or "default"
    level: str
    entity: str | None = None  # the name alone, "Mitte"


@dataclass(frozen=True)
class Check:
    """One rule checked: passed or not, in words."""

    key: str
    passed: bool
    text: str


@dataclass(frozen=True)
class Decision:
    action: str
    scope: str
    allowed: bool
    checks: tuple[Check, ...]
    hours_notice: Decimal
    hours_required: int | None
    fee: Decimal
    fee_parts: tuple[Decimal, ...]  # per appointment affected: one, or the series in order
    fee_rule: str
    rolling_count: int
    monthly_limit: Any
    rules: tuple[RuleUsed, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it is denied (empty when allowed)."""
        return tuple(check.text for check in self.checks if not check.passed)

    def provenance(self) -> dict:
        """The policy values used, JSON-safe, for the modification's metadata."""
        return {f"{rule.policy_type}.{rule.key}": {"value": rule.value, "source": rule.source,
                                                   "level": rule.level} for rule in self.rules}


def notice_hours(notice: timedelta, places: Decimal = CENT) -> Decimal:
    """A timedelta as hours, rounded down to `places` (exact arithmetic, no float), so a notice
    just under a limit never shows as reaching it."""
    return (Decimal(notice // timedelta(microseconds=1)) / _HOUR).quantize(places, ROUND_FLOOR)


def format_hours(notice: timedelta) -> str:
    """"5.5" or "24": hours of a (non-negative) timedelta, rounded down to 0.1 h."""
    return f"{notice_hours(notice, Decimal('0.1')):f}".removesuffix(".0")


def percentage_of(percentage: Any, price: Decimal | None) -> Decimal:
    """`percentage` % of `price`, to the cent (0 when there is no price)."""
    if price is None:
        return ZERO
    return (Decimal(str(percentage)) * Decimal(price) / 100).quantize(CENT, ROUND_HALF_UP)


def _money(amount: Any) -> str:
    return Money(Decimal(str(amount)).quantize(CENT))


def _value(policy: Mapping[str, Effective], key: str) -> Any:
    effective = policy.get(key)
    return None if effective is None else effective.value


def _from(policy: Mapping[str, Effective], key: str) -> str:
    return policy[key].source.label


TIERS, FIXED, PERCENTAGE, NO_FEE = "tiers", "fixed", "percentage", "none"


@dataclass(frozen=True)
class FeeRule:
    """The one fee rule in force at a node: which kind, in words, from where, and what it leaves
    unused (keys of less specific levels, or of the same level that the rule's order passes over)."""

    kind: str  # tiers | fixed | percentage | none
    text: str  # "Fee tiers: from 48 h 0.00 EUR; from 24 h 10.00 EUR"
    source: Source | None
    not_used: tuple[str, ...] = ()


def fee_rule(policy: Mapping[str, Effective], set_aside: Mapping[str, Effective] | None = None,
             policy_type: str = "cancellation") -> FeeRule:
    """The fee rule of a resolved cancellation/reschedule policy (`set_aside`: the fee keys of
    less specific levels the resolver set aside)."""
    kind = next((kind for kind, key in ((TIERS, "fee_tiers"), (FIXED, "fee"), (PERCENTAGE, "fee_percentage"))
                 if key in policy), NO_FEE)
    if kind == NO_FEE:
        return FeeRule(NO_FEE, M_("No fee rule: no level sets a fee, so there is no fee"), None)
    key = {TIERS: "fee_tiers", FIXED: "fee", PERCENTAGE: "fee_percentage"}[kind]
    source = policy[key].source
    texts = {TIERS: M_("Fee tiers: %(value)s", value=display_value(policy_type, key, policy[key].value)),
             FIXED: M_("Fixed fee: %(value)s", value=display_value(policy_type, key, policy[key].value)),
             PERCENTAGE: M_("Fee percentage: %(value)s", value=display_value(policy_type, key,
                                                                             policy[key].value))}
    text = texts[kind]
    passed_over = [M_("%(label)s: %(rule)s applies first", label=label, rule=kind_label) for other, label,
                   kind_label in (
        ("fee", M_("Fee"), M_("the fee tiers")), ("fee_percentage", M_("Fee percentage"),
                                                M_("the fee tiers") if kind == TIERS
                                                else M_("the fixed fee")))
        if other in policy and other != key]
    aside = [M_("%(label)s %(value)s of %(source)s: not used, the fee rule of %(decider)s applies",
                label=label_of(policy_type, effective.key),
                value=display_value(policy_type, effective.key, effective.value),
                source=effective.source.label, decider=source.label)
             for effective in (set_aside or {}).values()]
    return FeeRule(kind, text, source, tuple(passed_over + aside))


def label_of(policy_type: str, key: str) -> str:
    return next((spec.label for spec in key_specs(policy_type) if spec.name == key), key)


def _tier_for(tiers: list, notice: timedelta) -> tuple[dict, bool]:
    """(the tier that applies, whether the notice reached it): the first tier by min_hours
    descending that the notice reaches, else the smallest — a shorter notice is never cheaper."""
    ordered = sorted(tiers, key=lambda tier: tier["min_hours"], reverse=True)
    reached = next((tier for tier in ordered if timedelta(hours=tier["min_hours"]) <= notice), None)
    return (reached, True) if reached is not None else (ordered[-1], False)


def fee_for(policy: Mapping[str, Effective], notice: timedelta, price: Decimal | None) -> tuple[Decimal, str]:
    """(fee, which rule gave it and from where) by DESIGN §3: tiers, else fixed fee, else
    percentage, else 0 — all from the one level whose fee rule decides."""
    rule = fee_rule(policy)
    if rule.kind == TIERS:
        tier, reached = _tier_for(_value(policy, "fee_tiers"), notice)
        where = (M_("fee tier from %(hours)s h (%(source)s)", hours=tier["min_hours"],
                    source=_from(policy, "fee_tiers")) if reached else
                 M_("the notice is shorter than every fee tier, so the smallest (from %(hours)s h) applies "
                    "(%(source)s)", hours=tier["min_hours"], source=_from(policy, "fee_tiers")))
        if "fee" in tier:
            return Decimal(tier["fee"]).quantize(CENT), M_("%(fee)s: %(where)s", fee=_money(tier["fee"]),
                                                           where=where)
        return (percentage_of(tier["fee_percentage"], price),
                M_("%(percentage)s %% of %(price)s: %(where)s",
                   percentage=Decimal(str(tier["fee_percentage"])),
                   price=_price(price), where=where))
    if rule.kind == FIXED:
        fixed = _value(policy, "fee")
        return Decimal(fixed).quantize(CENT), M_("%(fee)s: fixed fee (%(source)s)", fee=_money(fixed),
                                                 source=_from(policy, "fee"))
    if rule.kind == PERCENTAGE:
        percentage = _value(policy, "fee_percentage")
        return (percentage_of(percentage, price),
                M_("%(percentage)s %% of %(price)s: fee percentage (%(source)s)",
                   percentage=Decimal(str(percentage)), price=_price(price), source=_from(policy,
                                                                                          "fee_percentage")))
    return ZERO, M_("no fee: no fee rule is set at any level")


def _price(price: Decimal | None) -> str:
    return _money(price) if price is not None else M_("no price (the appointment has none)")


def _notice_check(action: str, key: str, required: int | None, notice: timedelta,
                  source: str | None, what: str | None = None) -> Check | None:
    if required is None:
        return None
    what = what or NOUN[action]
    remain = M_("%(hours)s h remain", hours=_hours(notice)) if notice >= timedelta(0) else \
        M_("the appointment started %(hours)s h ago", hours=_hours(-notice))
    passed = notice >= timedelta(hours=required)
    if passed:
        return Check(key, passed, M_("%(what)s needs %(required)s h notice; %(remain)s", what=what,
                                     required=required, remain=remain))
    return Check(key, passed, M_("%(what)s needs %(required)s h notice; %(remain)s (%(source)s)", what=what,
                                 required=required, remain=remain, source=source))


def _hours(notice: timedelta) -> Decimal:
    """format_hours as a number the page's language writes its own way (de 5,5)."""
    return Decimal(format_hours(notice))


def _limit_check(key: str, limit: Any, used: int, source: str | None, text_used: str) -> Check | None:
    if limit is None:
        return None
    if limit == UNLIMITED:
        return Check(key, True, M_("%(used)s; no limit (%(source)s)", used=text_used, source=source))
    passed = used < int(limit)
    if passed:
        return Check(key, passed, M_("%(used)s; the limit is %(limit)s", used=text_used, limit=limit))
    return Check(key, passed, M_("%(used)s; the limit is %(limit)s (%(source)s)", used=text_used, limit=limit,
                                 source=source))


def rules_used(policy_type: str, policy: Mapping[str, Effective]) -> list[RuleUsed]:
    rules = []
    for spec in key_specs(policy_type):
        effective = policy.get(spec.name)
        if effective is not None:
            rules.append(RuleUsed(policy_type, spec.name, spec.label, effective.value,
                                  display_value(policy_type, spec.name, effective.value),
                                  effective.source.label, effective.source.level,
                                  effective.source.entity_name))
    return rules


def _series_checks(request: ModificationRequest, recurring: Mapping[str, Effective],
                   notice: timedelta) -> list[Check]:
    checks = []
    if not request.whole_series and _value(recurring, "allow_partial_cancel") is False:
        checks.append(Check("allow_partial_cancel", False,
                            M_("Single appointments of this series cannot be cancelled; only the whole "
                               "series can (%(source)s)", source=_from(recurring, "allow_partial_cancel"))))
    required = _value(recurring, "full_series_hours_before")
    if request.whole_series and _value(recurring, "require_full_series_notice") is True:
        source = _from(recurring, "full_series_hours_before") if required is not None else None
        check = _notice_check(CANCEL, "full_series_hours_before", required, notice, source,
                              M_("Cancelling the whole series"))
        checks += [check] if check else []
    elif request.whole_series and required is not None:  # say why a visible rule did not apply
        checks.append(Check("require_full_series_notice", True,
                            M_("Whole-series notice of %(required)s h is set but not required "
                               "(Require full series notice is not on)", required=required)))
    return checks


def _fees(request: ModificationRequest, policy, recurring, notice: timedelta, now: datetime):
    """(fee of each appointment affected, in order; which rule gave the fee)."""
    price = request.appointment.price
    if request.action == CANCEL and request.in_series and not request.whole_series:
        percentage = _value(recurring, "partial_cancel_fee_percentage")
        if percentage is not None:
            return ((percentage_of(percentage, price),),
                    M_("%(percentage)s %% of %(price)s: partial cancel of a series (%(source)s)",
                       percentage=Decimal(str(percentage)), price=_price(price),
                       source=_from(recurring, "partial_cancel_fee_percentage")))
    fee, rule = fee_for(policy, notice, price)
    if not (request.whole_series and request.following):
        return (fee,), rule
    parts = (fee, *(fee_for(policy, occurrence.starts_at - now, occurrence.price)[0]
                    for occurrence in request.following))
    return parts, M_("%(total)s for %(count)s appointments, each by its own notice; this one: %(rule)s",
                     total=_money(sum(parts)), count=len(parts), rule=rule)


def _counted(action: str, count: int) -> str:
    """The customer's count in the rolling window, in words (singular and plural per language)."""
    if action == CANCEL:
        return (M_("%(count)s cancellation by this customer in the last %(days)s days", count=count,
                   days=ROLLING_DAYS)
                if count == 1 else
                M_("%(count)s cancellations by this customer in the last %(days)s days", count=count,
                   days=ROLLING_DAYS))
    return (M_("%(count)s reschedule by this customer in the last %(days)s days", count=count,
               days=ROLLING_DAYS)
            if count == 1 else
            M_("%(count)s reschedules by this customer in the last %(days)s days", count=count,
               days=ROLLING_DAYS))


def _checks(request: ModificationRequest, policy, recurring, notice: timedelta) -> tuple[Check, ...]:
    required = _value(policy, "hours_before")
    monthly_key = MONTHLY_KEY[request.action]
    limit = _value(policy, monthly_key)
    checks = [
        _notice_check(request.action, "hours_before", required, notice,
                      _from(policy, "hours_before") if required is not None else None),
        _limit_check(monthly_key, limit, request.rolling_count,
                     _from(policy, monthly_key) if limit is not None else None,
                     _counted(request.action, request.rolling_count)),
    ]
    if request.action == RESCHEDULE:
        per_appointment = _value(policy, "max_reschedules_per_appointment")
        moved = (M_("this appointment was moved %(count)s time before", count=request.reschedule_count)
                 if request.reschedule_count == 1 else
                 M_("this appointment was moved %(count)s times before", count=request.reschedule_count))
        checks.append(_limit_check(
            "max_reschedules_per_appointment", per_appointment, request.reschedule_count,
            _from(policy, "max_reschedules_per_appointment") if per_appointment is not None else None,
            moved))
    if request.action == CANCEL and request.in_series:
        checks += _series_checks(request, recurring, notice)
    return tuple(check for check in checks if check is not None)


def decide(request: ModificationRequest, now: datetime, policy: Mapping[str, Effective],
           recurring: Mapping[str, Effective] | None = None) -> Decision:
    """The decision for `request` at `now` under the resolved `policy` (cancellation or
    reschedule, matching the action) and, for an appointment of a series, `recurring`."""
    if request.action not in ACTIONS:
        raise ValueError(f"Unknown action {request.action!r}")
    recurring = recurring or {}
    notice = request.appointment.starts_at - now
    checks = _checks(request, policy, recurring, notice)
    fee_parts, fee_rule = _fees(request, policy, recurring, notice, now)
    rules = rules_used(POLICY_TYPE[request.action], policy)
    if request.in_series and request.action == CANCEL:
        rules += rules_used("recurring", recurring)
    return Decision(request.action, request.scope, all(check.passed for check in checks), checks,
                    notice_hours(notice), _value(policy, "hours_before"), sum(fee_parts, ZERO),
                    fee_parts, fee_rule, request.rolling_count,
                    _value(policy, MONTHLY_KEY[request.action]), tuple(rules))

"""The decision engine: notice, limits, fee rules in their order, recurring series."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from portal.domain.decisions import (
    CANCEL,
    RESCHEDULE,
    ModificationRequest,
    Occurrence,
    decide,
    fee_for,
    fee_rule,
    format_hours,
    rolling_window,
)
from portal.domain.policies import LevelRow, resolve, resolve_with_set_aside

NOW = datetime(2026, 3, 10, 12, 0, 0)


def policy(policy_type="cancellation", company=None, branch=None, service=None, staff=None):
    rows = [LevelRow(level, 1, name, config) for level, name, config in (
        ("company", "Acme", company), ("branch", "Mitte", branch), ("service", "Cut", service),
        ("staff", "Ann", staff)) if config]
    return resolve(policy_type, rows)


def request(action=CANCEL, hours=48.0, price="40.00", **kw):
    starts = NOW + timedelta(hours=hours)
    return ModificationRequest(action, Occurrence(starts, Decimal(price) if price else None), **kw)


def fee(config, hours, price="40.00"):
    return decide(request(hours=hours, price=price), NOW, policy(company=config)).fee


# --- notice ---------------------------------------------------------------------------------


def test_notice_exactly_at_the_boundary_is_allowed():
    decision = decide(request(hours=24), NOW, policy(company={"hours_before": 24}))
    assert decision.allowed
    assert decision.hours_notice == Decimal("24.00")


def test_notice_one_second_under_the_boundary_is_denied():
    short = ModificationRequest(CANCEL, Occurrence(NOW + timedelta(hours=24) - timedelta(seconds=1)))
    decision = decide(short, NOW, policy(company={"hours_before": 24}))
    assert not decision.allowed
    assert decision.reasons == ("Cancellation needs 24 h notice; 23.9 h remain (Company Acme)",)


def test_denial_reads_like_a_person_wrote_it():
    decision = decide(request(hours=5.5), NOW, policy(company={"hours_before": 24}))
    assert decision.reasons[0].startswith("Cancellation needs 24 h notice; 5.5 h remain")
    assert decision.hours_notice == Decimal("5.50")
    assert decision.hours_required == 24


def test_negative_notice_after_the_start_is_denied_and_says_so():
    decision = decide(request(hours=-2), NOW, policy(company={"hours_before": 0}))
    assert not decision.allowed
    assert decision.hours_notice == Decimal("-2.00")
    assert "the appointment started 2 h ago" in decision.reasons[0]


def test_without_hours_before_any_notice_is_allowed_even_negative():
    assert decide(request(hours=-3), NOW, policy(company={"fee": "5.00"})).allowed


def test_reschedule_uses_the_reschedule_wording_and_its_own_hours():
    decision = decide(request(RESCHEDULE, hours=10), NOW, policy("reschedule", company={"hours_before": 12}))
    assert decision.reasons[0].startswith("Rescheduling needs 12 h notice; 10 h remain")


def test_most_specific_level_decides_and_is_named():
    resolved = policy(company={"hours_before": 24}, branch={"hours_before": 48}, staff={"hours_before": 2})
    decision = decide(request(hours=5), NOW, resolved)
    assert decision.allowed
    used = {rule.key: (rule.value, rule.source, rule.level) for rule in decision.rules}
    assert used["hours_before"] == (2, "Staff Ann", "staff")


# --- fee rules and their order ----------------------------------------------------------------

TIERS = [{"min_hours": 48, "fee": "0.00"}, {"min_hours": 24, "fee_percentage": "25.00"},
         {"min_hours": 2, "fee": "30.00"}]


@pytest.mark.parametrize(("hours", "expected"), [
    (72, "0.00"),    # first tier (48 h) reached
    (48, "0.00"),    # exactly at its min_hours
    (47.9, "10.00"),  # next tier: 25 % of 40.00
    (24, "10.00"),
    (23, "30.00"),   # the fixed-fee tier
    (1, "30.00"),    # no tier reached: the smallest tier, never the cheaper fixed fee
    (-5, "30.00"),   # after the start: still the smallest tier
])
def test_first_tier_by_min_hours_descending_then_the_smallest_tier(hours, expected):
    config = {"fee_tiers": TIERS, "fee": "12.50", "fee_percentage": "50.00"}
    assert fee(config, hours) == Decimal(expected)


def test_tiers_are_picked_by_min_hours_whatever_order_they_were_written_in():
    shuffled = {"fee_tiers": [TIERS[2], TIERS[0], TIERS[1]]}
    assert fee(shuffled, 30) == Decimal("10.00")


def test_fixed_fee_wins_over_percentage_without_tiers():
    assert fee({"fee": "15.00", "fee_percentage": "50.00"}, 5) == Decimal("15.00")


def test_percentage_of_price_when_no_tier_and_no_fixed_fee():
    assert fee({"fee_percentage": "12.50"}, 5, price="89.00") == Decimal("11.13")  # 11.125 rounds up


def test_percentage_without_a_price_is_zero():
    assert fee({"fee_percentage": "50.00"}, 5, price=None) == Decimal("0.00")
    assert fee({"fee_tiers": [{"min_hours": 0, "fee_percentage": "50.00"}]}, 5, price=None) == Decimal("0.00")


def test_no_fee_rule_means_no_fee_at_all():
    decision = decide(request(hours=1), NOW, policy(company={"hours_before": 24}))
    assert decision.fee == Decimal("0.00")
    assert "no fee rule" in decision.fee_rule


def test_tiers_set_but_none_reached_charge_the_smallest_tier():
    """DESIGN §3: 12 h notice under tiers 48 h → 0, 24 h → 10 pays 10, not 0."""
    tiers = {"fee_tiers": [{"min_hours": 48, "fee": "0.00"}, {"min_hours": 24, "fee": "10.00"}]}
    decision = decide(request(hours=12), NOW, policy(company=tiers))
    assert decision.fee == Decimal("10.00")
    assert "shorter than every fee tier" in decision.fee_rule
    assert "no fee rule" not in decision.fee_rule


def test_a_forced_cancellation_after_the_start_is_not_free():
    tiers = {"hours_before": 24, "fee_tiers": [{"min_hours": 24, "fee_percentage": "50.00"}]}
    decision = decide(request(hours=-1), NOW, policy(company=tiers))
    assert not decision.allowed
    assert decision.fee == Decimal("20.00")


def test_negative_notice_reaches_no_tier_and_pays_the_smallest_one():
    assert fee({"fee_tiers": [{"min_hours": 0, "fee": "30.00"}], "fee": "5.00"}, -1) == Decimal("30.00")


def test_fee_is_money_with_two_places_and_names_its_source():
    decision = decide(request(hours=5), NOW, policy(company={"fee": "15"}))
    assert decision.fee == Decimal("15.00")
    assert str(decision.fee) == "15.00"
    assert decision.fee_rule == "15.00 EUR: fixed fee (Company Acme)"


# --- the fee rule is one setting (DESIGN §3) ----------------------------------------------------


def test_service_percentage_beats_company_fixed_fee():
    decision = decide(request(hours=5), NOW, policy(company={"fee": "15.00"}, service={"fee_percentage": "50.00"}))
    assert decision.fee == Decimal("20.00")  # 50 % of 40.00, not the company's 15.00
    assert decision.fee_rule == "50.00 % of 40.00 EUR: fee percentage (Service Cut)"


def test_fee_keys_of_less_specific_levels_are_not_used_at_all():
    resolved = policy(company={"fee_tiers": TIERS, "hours_before": 2}, branch={"fee": "7.00"})
    assert "fee_tiers" not in resolved  # the branch's fee rule decides, the company's tiers are unused
    assert resolved["hours_before"].source.level == "company"  # other keys still inherit key by key
    assert fee({"fee_tiers": TIERS}, 30) == Decimal("10.00")
    assert decide(request(hours=30), NOW, resolved).fee == Decimal("7.00")


def test_fee_keys_of_one_level_keep_their_order():
    resolved = policy(company={"fee": "99.00"}, staff={"fee": "3.00", "fee_percentage": "50.00"})
    assert decide(request(hours=1), NOW, resolved).fee == Decimal("3.00")
    rule = fee_rule(resolved)
    assert rule.kind == "fixed"
    assert rule.source.level == "staff"
    assert rule.not_used == ("Fee percentage: the fixed fee applies first",)


def test_fee_rule_says_which_level_decides_and_what_it_leaves_unused():
    resolved, set_aside = resolve_with_set_aside("cancellation", [
        LevelRow("company", 1, "Acme", {"fee": "15.00"}),
        LevelRow("service", 2, "Colouring", {"fee_percentage": "50.00"})])
    rule = fee_rule(resolved, set_aside)
    assert (rule.kind, rule.source.label) == ("percentage", "Service Colouring")
    assert rule.not_used == ("Fee 15.00 EUR of Company Acme: not used, the fee rule of Service Colouring applies",)


def test_no_fee_key_anywhere_is_no_fee_rule():
    rule = fee_rule(policy(company={"hours_before": 24}))
    assert rule.kind == "none"
    assert rule.source is None


def test_fee_for_reports_the_tier_it_used():
    amount, rule = fee_for(policy(service={"fee_tiers": TIERS}), timedelta(hours=30), Decimal("40.00"))
    assert amount == Decimal("10.00")
    assert "fee tier from 24 h (Service Cut)" in rule


# --- the rolling 30-day limit --------------------------------------------------------------------


def test_rolling_window_excludes_exactly_30_days_ago_and_includes_now():
    start, end = rolling_window(NOW)
    assert start == NOW - timedelta(days=30)
    assert end == NOW


@pytest.mark.parametrize(("count", "allowed"), [(0, True), (2, True), (3, False), (7, False)])
def test_monthly_limit_denies_once_the_count_reaches_it(count, allowed):
    decision = decide(request(rolling_count=count), NOW, policy(company={"max_cancellations_per_month": 3}))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reasons == (
            f"{count} cancellations by this customer in the last 30 days; the limit is 3 (Company Acme)",)


def test_unlimited_never_denies_and_lifts_a_parent_limit():
    resolved = policy(company={"max_cancellations_per_month": 1},
                      staff={"max_cancellations_per_month": "unlimited"})
    decision = decide(request(rolling_count=500), NOW, resolved)
    assert decision.allowed
    assert decision.monthly_limit == "unlimited"
    assert "no limit (Staff Ann)" in decision.checks[0].text


def test_a_zero_limit_denies_the_first_one():
    resolved = policy(company={"max_cancellations_per_month": 0})
    assert not decide(request(rolling_count=0), NOW, resolved).allowed


# --- reschedules per appointment -------------------------------------------------------------------


@pytest.mark.parametrize(("moved", "allowed"), [(0, True), (1, True), (2, False)])
def test_reschedule_count_per_appointment(moved, allowed):
    resolved = policy("reschedule", company={"max_reschedules_per_appointment": 2})
    decision = decide(request(RESCHEDULE, reschedule_count=moved), NOW, resolved)
    assert decision.allowed is allowed
    if not allowed:
        assert "this appointment was moved 2 times before; the limit is 2" in decision.reasons[0]


def test_per_appointment_limit_does_not_apply_to_cancellations():
    resolved = policy("cancellation", company={"hours_before": 1})
    assert decide(request(CANCEL, reschedule_count=99), NOW, resolved).allowed


def test_unlimited_reschedules_per_appointment():
    resolved = policy("reschedule", company={"max_reschedules_per_appointment": "unlimited"})
    assert decide(request(RESCHEDULE, reschedule_count=40), NOW, resolved).allowed


def test_every_failed_rule_is_a_reason():
    resolved = policy("reschedule", company={"hours_before": 24, "max_reschedules_per_month": 1,
                                              "max_reschedules_per_appointment": 1})
    decision = decide(request(RESCHEDULE, hours=2, rolling_count=1, reschedule_count=1), NOW, resolved)
    assert len(decision.reasons) == 3


# --- recurring series ---------------------------------------------------------------------------------


def test_partial_cancel_refused_when_the_series_forbids_it():
    recurring = policy("recurring", company={"allow_partial_cancel": False})
    decision = decide(request(in_series=True), NOW, policy(company={"hours_before": 24}), recurring)
    assert not decision.allowed
    assert decision.reasons[0].startswith("Single appointments of this series cannot be cancelled")


def test_partial_cancel_fee_percentage_replaces_the_cancellation_fee():
    recurring = policy("recurring", company={"allow_partial_cancel": True,
                                             "partial_cancel_fee_percentage": "20.00"})
    resolved = policy(company={"fee": "15.00"})
    decision = decide(request(in_series=True, price="50.00"), NOW, resolved, recurring)
    assert decision.allowed
    assert decision.fee == Decimal("10.00")
    assert "partial cancel of a series" in decision.fee_rule
    assert {"allow_partial_cancel", "partial_cancel_fee_percentage"} <= {rule.key for rule in decision.rules}


def test_partial_cancel_without_its_own_fee_uses_the_cancellation_fee():
    recurring = policy("recurring", company={"allow_partial_cancel": True})
    resolved = policy(company={"fee": "15.00"})
    assert decide(request(in_series=True), NOW, resolved, recurring).fee == Decimal("15.00")


def test_whole_series_needs_its_notice_only_when_required():
    rule = {"full_series_hours_before": 72}
    following = (Occurrence(NOW + timedelta(days=9), Decimal("40.00")),)
    for required, allowed in ((False, True), (True, False)):
        recurring = policy("recurring", company={**rule, "require_full_series_notice": required})
        decision = decide(request(hours=48, in_series=True, whole_series=True, following=following),
                          NOW, policy(company={}), recurring)
        assert decision.allowed is allowed
        assert decision.scope == "series"
    assert decision.reasons[0].startswith("Cancelling the whole series needs 72 h notice; 48 h remain")


def test_whole_series_fee_is_each_appointments_fee_by_its_own_notice():
    following = (Occurrence(NOW + timedelta(hours=30), Decimal("40.00")),
                 Occurrence(NOW + timedelta(days=10), Decimal("40.00")))
    decision = decide(request(hours=5, in_series=True, whole_series=True, following=following),
                      NOW, policy(company={"fee_tiers": TIERS}), policy("recurring"))
    assert decision.fee_parts == (Decimal("30.00"), Decimal("10.00"), Decimal("0.00"))
    assert decision.fee == Decimal("40.00")


def test_forbidden_partial_cancel_does_not_block_cancelling_the_whole_series():
    recurring = policy("recurring", company={"allow_partial_cancel": False})
    assert decide(request(in_series=True, whole_series=True), NOW, policy(), recurring).allowed


def test_series_rules_do_not_touch_a_reschedule():
    recurring = policy("recurring", company={"allow_partial_cancel": False})
    assert decide(request(RESCHEDULE, in_series=True), NOW, policy("reschedule"), recurring).allowed


# --- what the record keeps --------------------------------------------------------------------------------


def test_provenance_lists_every_value_used_with_its_level():
    resolved = policy(company={"hours_before": 24, "fee": "15.00"}, branch={"hours_before": 48})
    assert decide(request(hours=60), NOW, resolved).provenance() == {
        "cancellation.hours_before": {"value": 48, "source": "Branch Mitte", "level": "branch"},
        "cancellation.fee": {"value": "15.00", "source": "Company Acme", "level": "company"},
    }


def test_unknown_action_is_refused():
    with pytest.raises(ValueError):
        decide(request("delete"), NOW, policy())


@pytest.mark.parametrize(("notice", "shown"), [
    (timedelta(hours=5, minutes=30), "5.5"), (timedelta(hours=24), "24"),
    (timedelta(hours=24, seconds=-1), "23.9"),
])
def test_hours_are_shown_rounded_down(notice, shown):
    assert format_hours(notice) == shown


def test_a_series_notice_that_is_not_required_is_explained_not_applied():
    recurring = policy("recurring", company={"full_series_hours_before": 72})
    decision = decide(request(hours=5, in_series=True, whole_series=True), NOW, policy(), recurring)
    assert decision.allowed
    assert decision.checks[-1].text == ("Whole-series notice of 72 h is set but not required "
                                        "(Require full series notice is not on)")

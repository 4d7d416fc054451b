"""Policy settings: which keys exist, what they accept, and the messages people see."""
import json

import pytest

from portal.domain.policy_schema import (
    POLICY_TYPES,
    TYPE_DEFAULTS,
    UNLIMITED,
    display_value,
    key_specs,
    validate_config,
)

DESIGN_KEYS = {
    "cancellation": {"hours_before", "fee", "fee_percentage", "fee_tiers",
                     "max_cancellations_per_month", "require_reason"},
    "reschedule": {"hours_before", "fee", "fee_percentage", "fee_tiers",
                   "max_reschedules_per_appointment", "max_reschedules_per_month",
                   "require_reason"},
    "recurring": {"allow_partial_cancel", "require_full_series_notice",
                  "full_series_hours_before", "partial_cancel_fee_percentage"},
    "callback": {"sla_minutes_urgent", "sla_minutes_high", "sla_minutes_normal",
                 "max_contact_attempts", "due_soon_minutes", "expire_after_hours"},
}
LIMIT_KEYS = {"max_cancellations_per_month", "max_reschedules_per_month",
              "max_reschedules_per_appointment", "expire_after_hours"}


def clean(policy_type, **raw):
    config, errors = validate_config(policy_type, raw)
    assert errors == {}
    return config


def error_of(policy_type, key, value):
    config, errors = validate_config(policy_type, {key: value})
    assert key not in config
    return errors[key]


# --- the schema itself --------------------------------------------------------------------

def test_policy_types_are_the_four_of_the_design():
    assert POLICY_TYPES == ("cancellation", "reschedule", "recurring", "callback")


@pytest.mark.parametrize("policy_type", POLICY_TYPES)
def test_each_type_has_exactly_the_design_keys(policy_type):
    assert {spec.name for spec in key_specs(policy_type)} == DESIGN_KEYS[policy_type]


@pytest.mark.parametrize("policy_type", POLICY_TYPES)
def test_only_limit_keys_accept_unlimited(policy_type):
    accepting = {spec.name for spec in key_specs(policy_type) if spec.allows_unlimited}
    assert accepting == DESIGN_KEYS[policy_type] & LIMIT_KEYS


@pytest.mark.parametrize("policy_type", POLICY_TYPES)
def test_every_key_has_a_label_help_and_known_kind(policy_type):
    for spec in key_specs(policy_type):
        assert spec.label
        assert spec.label[0].isupper()
        assert spec.help
        assert spec.kind in {"int", "decimal", "percentage", "bool", "tiers"}


def test_units_of_hours_money_percentages_and_minutes():
    units = {spec.name: spec.unit for spec in key_specs("cancellation") + key_specs("callback")}
    assert units["hours_before"] == "h"
    assert units["fee"] == "EUR"
    assert units["fee_percentage"] == "%"
    assert units["sla_minutes_urgent"] == "min"
    assert units["expire_after_hours"] == "h"


def test_only_callback_has_type_defaults():
    assert TYPE_DEFAULTS["callback"] == {
        "sla_minutes_urgent": 60, "sla_minutes_high": 240, "sla_minutes_normal": 1440,
        "max_contact_attempts": 3, "due_soon_minutes": 30,
    }
    assert TYPE_DEFAULTS["cancellation"] == TYPE_DEFAULTS["reschedule"] == {}
    assert TYPE_DEFAULTS["recurring"] == {}


def test_expire_after_hours_has_no_default():
    assert "expire_after_hours" not in TYPE_DEFAULTS["callback"]


def test_type_defaults_are_valid_configs():
    for policy_type, defaults in TYPE_DEFAULTS.items():
        assert validate_config(policy_type, defaults) == (defaults, {})


def test_unknown_policy_type_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_config("holiday", {})
    with pytest.raises(ValueError):
        key_specs("holiday")


# --- accepted values and their stored form ------------------------------------------------

def test_form_strings_become_typed_values():
    config = clean("cancellation", hours_before=" 24 ", fee="12.5", fee_percentage="10",
                   max_cancellations_per_month="3", require_reason="true")
    assert config == {"hours_before": 24, "fee": "12.50", "fee_percentage": "10.00",
                      "max_cancellations_per_month": 3, "require_reason": True}


def test_json_native_values_are_accepted():
    config = clean("cancellation", hours_before=24, fee=12.5, fee_percentage=7.25,
                   require_reason=False)
    assert config == {"hours_before": 24, "fee": "12.50", "fee_percentage": "7.25",
                      "require_reason": False}


def test_clean_config_is_stable_when_validated_again():
    config = clean("reschedule", hours_before="12", fee="3,5", max_reschedules_per_month="unlimited",
                   fee_tiers='[{"min_hours": "2", "fee": "5"}]')
    assert validate_config("reschedule", config) == (config, {})
    assert json.loads(json.dumps(config)) == config


def test_clean_config_follows_display_order():
    config = clean("cancellation", require_reason="no", fee="1", hours_before="2")
    assert list(config) == ["hours_before", "fee", "require_reason"]


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_means_not_set_here(blank):
    assert validate_config("cancellation", {"hours_before": blank, "fee": blank}) == ({}, {})


def test_european_decimal_comma_is_read_as_a_decimal_point():
    assert clean("cancellation", fee="12,5") == {"fee": "12.50"}


@pytest.mark.parametrize("key", sorted(LIMIT_KEYS))
def test_limit_keys_accept_unlimited(key):
    policy_type = next(name for name, keys in DESIGN_KEYS.items() if key in keys)
    assert clean(policy_type, **{key: " Unlimited "}) == {key: UNLIMITED}


def test_zero_is_a_real_limit_not_a_missing_one():
    assert clean("cancellation", max_cancellations_per_month="0") == {
        "max_cancellations_per_month": 0}


@pytest.mark.parametrize(("text", "value"), [("true", True), ("on", True), ("yes", True),
                                         ("1", True), ("false", False), ("off", False),
                                         ("no", False), ("0", False)])
def test_flags_accept_form_words(text, value):
    assert clean("recurring", allow_partial_cancel=text) == {"allow_partial_cancel": value}


def test_percentage_bounds_are_inclusive():
    assert clean("recurring", partial_cancel_fee_percentage="0") == {
        "partial_cancel_fee_percentage": "0.00"}
    assert clean("recurring", partial_cancel_fee_percentage=100) == {
        "partial_cancel_fee_percentage": "100.00"}


# --- messages for values that do not fit ---------------------------------------------------

@pytest.mark.parametrize("value", [-1, "-1", "abc", "1.5", 1.5, True, [], "24h"])
def test_hours_must_be_a_whole_number_of_zero_or_more(value):
    assert error_of("cancellation", "hours_before", value) == (
        "Hours before must be a whole number of 0 or more")


def test_hours_before_refuses_unlimited():
    assert error_of("cancellation", "hours_before", "unlimited") == (
        "Hours before must be a whole number of 0 or more")


def test_limit_message_mentions_unlimited():
    assert error_of("cancellation", "max_cancellations_per_month", "lots") == (
        "Max cancellations per month must be a whole number of 0 or more, or 'unlimited'")


def test_sla_minutes_must_be_at_least_one():
    assert error_of("callback", "sla_minutes_urgent", "0") == (
        "SLA for urgent callbacks must be a whole number of 1 or more")


@pytest.mark.parametrize("value", [150, "150", "100.01", -1, "-0.5"])
def test_fee_percentage_must_be_between_0_and_100(value):
    assert error_of("cancellation", "fee_percentage", value) == (
        "Fee percentage must be between 0 and 100")


@pytest.mark.parametrize("value", ["ten", True, {"a": 1}, float("nan")])
def test_fee_percentage_must_be_a_number(value):
    assert error_of("cancellation", "fee_percentage", value) == (
        "Fee percentage must be a number between 0 and 100")


def test_fee_percentage_has_at_most_two_decimals():
    assert error_of("reschedule", "fee_percentage", "12.345") == (
        "Fee percentage must have at most 2 decimals")


@pytest.mark.parametrize("value", [-5, "-5", "five", False, []])
def test_fee_must_be_an_amount_of_zero_or_more(value):
    assert error_of("cancellation", "fee", value) == "Fee must be an amount in EUR of 0 or more"


def test_fee_has_at_most_two_decimals():
    assert error_of("cancellation", "fee", "12.505") == "Fee must have at most 2 decimals"


def test_fee_fits_the_money_column():
    assert error_of("cancellation", "fee", "100000000") == "Fee must be at most 99999999.99 EUR"


@pytest.mark.parametrize("value", ["maybe", 1, 0, "2"])
def test_flags_must_be_yes_or_no(value):
    assert error_of("cancellation", "require_reason", value) == "Require reason must be yes or no"


def test_unknown_key_is_refused_by_name():
    config, errors = validate_config("cancellation", {"foo": "1", "hours_before": "24"})
    assert config == {"hours_before": 24}
    assert errors == {"foo": "Unknown setting 'foo' for cancellation policies"}


def test_key_of_another_type_is_unknown_here():
    _, errors = validate_config("callback", {"hours_before": 24})
    assert errors == {"hours_before": "Unknown setting 'hours_before' for callback policies"}


def test_every_bad_key_gets_its_own_message():
    _, errors = validate_config("cancellation", {"hours_before": "-1", "fee_percentage": "150",
                                                 "require_reason": "maybe"})
    assert set(errors) == {"hours_before", "fee_percentage", "require_reason"}


def test_config_that_is_not_a_mapping_is_refused():
    assert validate_config("cancellation", ["hours_before"]) == (
        {}, {"config": "Settings must be a set of named values"})


# --- fee tiers -----------------------------------------------------------------------------

def test_tiers_are_stored_by_min_hours_descending():
    config = clean("cancellation", fee_tiers=[
        {"min_hours": 0, "fee_percentage": "100"},
        {"min_hours": 48, "fee": 0},
        {"min_hours": "24", "fee": "15"},
    ])
    assert config["fee_tiers"] == [
        {"min_hours": 48, "fee": "0.00"},
        {"min_hours": 24, "fee": "15.00"},
        {"min_hours": 0, "fee_percentage": "100.00"},
    ]


def test_tiers_are_accepted_as_json_text_from_a_form():
    config = clean("reschedule", fee_tiers='[{"min_hours": 12, "fee_percentage": 50}]')
    assert config == {"fee_tiers": [{"min_hours": 12, "fee_percentage": "50.00"}]}


def test_empty_tier_list_is_a_value_that_clears_parent_tiers():
    assert clean("cancellation", fee_tiers=[]) == {"fee_tiers": []}
    assert clean("cancellation", fee_tiers="[]") == {"fee_tiers": []}


def test_blank_tier_fields_count_as_absent():
    config = clean("cancellation", fee_tiers=[{"min_hours": "4", "fee": "", "fee_percentage": "20"}])
    assert config == {"fee_tiers": [{"min_hours": 4, "fee_percentage": "20.00"}]}


@pytest.mark.parametrize(("tiers", "message"), [
    ({"min_hours": 1, "fee": 1}, "Fee tiers must be a list of tiers"),
    ("[{", "Fee tiers must be a list of tiers (not valid JSON)"),
    ('{"min_hours": 1}', "Fee tiers must be a list of tiers"),
    (5, "Fee tiers must be a list of tiers"),
    ([{"min_hours": 1, "fee": 1}, "24"],
     "Fee tiers: tier 2 must have min_hours and a fee or fee_percentage"),
    ([{"fee": 5}], "Fee tiers: tier 1 is missing min_hours"),
    ([{"min_hours": "", "fee": 5}], "Fee tiers: tier 1 is missing min_hours"),
    ([{"min_hours": 1, "fee": 5, "fee_percentage": 10}],
     "Fee tiers: tier 1 must set either a fee or a fee_percentage, not both"),
    ([{"min_hours": 1}], "Fee tiers: tier 1 must set either a fee or a fee_percentage, not neither"),
    ([{"min_hours": 24, "fee": 5}, {"min_hours": 2, "fee": 1}, {"min_hours": 24, "fee": 9}],
     "Fee tiers: tier 3 has the same min hours (24) as tier 1"),
    ([{"min_hours": -1, "fee": 5}], "Fee tiers: tier 1 min_hours must be a whole number of 0 or more"),
    ([{"min_hours": "x", "fee": 5}], "Fee tiers: tier 1 min_hours must be a whole number of 0 or more"),
    ([{"min_hours": 1, "fee": -5}], "Fee tiers: tier 1 fee must be an amount in EUR of 0 or more"),
    ([{"min_hours": 1, "fee_percentage": 150}],
     "Fee tiers: tier 1 fee_percentage must be between 0 and 100"),
    ([{"min_hours": 1, "fee": 5, "discount": 1}], "Fee tiers: tier 1 has an unknown setting 'discount'"),
])
def test_malformed_tiers_are_refused_naming_the_tier(tiers, message):
    assert error_of("cancellation", "fee_tiers", tiers) == message


# --- display ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("policy_type", "key", "value", "text"), [
    ("cancellation", "hours_before", 24, "24 h"),
    ("cancellation", "fee", "12.50", "12.50 EUR"),
    ("cancellation", "fee_percentage", "10.00", "10.00 %"),
    ("cancellation", "max_cancellations_per_month", UNLIMITED, "no limit"),
    ("cancellation", "max_cancellations_per_month", 3, "3"),
    ("cancellation", "require_reason", True, "yes"),
    ("cancellation", "fee_tiers", [{"min_hours": 48, "fee": "0.00"},
                                   {"min_hours": 0, "fee_percentage": "50.00"}],
     "from 48 h: 0.00 EUR; from 0 h: 50.00 %"),
    ("callback", "sla_minutes_urgent", 60, "60 min"),
])
def test_display_value_speaks_in_units(policy_type, key, value, text):
    assert display_value(policy_type, key, value) == text

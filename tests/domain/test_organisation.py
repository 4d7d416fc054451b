"""The organisation's value rules: every input gives a clean value or a message, never an error."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.organisation import (
    NAME_MAX,
    REFUSED_CATEGORIES,
    check_language,
    check_region,
    check_timezone,
    clean_consents,
    clean_external_id,
    clean_name,
    may_contact,
    parse_duration,
    parse_flag,
    parse_price,
)

ANYTHING = st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.booleans(),
                     st.lists(st.text(), max_size=3), st.dictionaries(st.text(), st.text(), max_size=3))
CLEANERS = (clean_name, clean_external_id, parse_price, parse_duration, check_timezone, check_region,
            check_language, parse_flag, clean_consents)


@settings(max_examples=300, database=None)
@given(value=ANYTHING)
def test_every_cleaner_gives_a_value_or_a_message_for_any_input(value):
    for cleaner in CLEANERS:
        clean, message = cleaner(value)
        assert message is None or (isinstance(message, str) and message)
        if message is not None:
            assert clean is None


@settings(max_examples=300, database=None)
@given(text=st.text(max_size=400))
def test_a_clean_name_is_trimmed_bounded_and_free_of_control_characters(text):
    import unicodedata

    name, message = clean_name(text)
    if message is None:
        assert name == name.strip()
        assert 0 < len(name) <= NAME_MAX
        assert not any(unicodedata.category(char) in REFUSED_CATEGORIES for char in name)


@settings(max_examples=300, database=None)
@given(cents=st.integers(min_value=0, max_value=9_999_999_999), comma=st.booleans())
def test_a_price_written_with_a_point_or_a_comma_reads_back_exactly(cents, comma):
    price = Decimal(cents) / 100
    text = f"{price:.2f}"
    assert parse_price(text.replace(".", ",") if comma else text) == (price.quantize(Decimal("0.01")), None)


@pytest.mark.parametrize("text", ["-1", "1.234", "1e3", "12.5x", "١٢", "99999999999", "NaN", "Infinity"])
def test_prices_that_are_not_amounts_in_eur_are_refused(text):
    assert parse_price(text)[1]


@pytest.mark.parametrize(("text", "minutes"), [("1", 1), ("1440", 1440), (" 45 ", 45)])
def test_durations_are_whole_minutes_up_to_a_day(text, minutes):
    assert parse_duration(text) == (minutes, None)


@pytest.mark.parametrize("text", ["0", "1441", "1.5", "²", "-5", "abc"])
def test_other_durations_are_refused(text):
    assert parse_duration(text)[1]


def test_zones_regions_and_languages_come_from_the_known_lists():
    assert check_timezone("Europe/Vienna") == ("Europe/Vienna", None)
    assert check_timezone("Europe/Wien")[1]
    assert check_region("at") == ("AT", None)
    assert check_region("ZZ")[1]
    assert check_language("EN") == ("en", None)
    assert check_language("fr")[1]


def test_a_customer_is_contacted_only_on_channels_with_consent_given():
    consents, message = clean_consents({"email": True, "sms": False})
    assert message is None
    assert may_contact(consents, "email")
    assert not may_contact(consents, "sms")
    assert not may_contact(consents, "whatsapp")  # never asked
    assert clean_consents({"fax": True})[1]
    assert clean_consents({"email": "yes"})[1]

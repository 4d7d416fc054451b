"""The input layer's parsers: one per kind of value, each refusing with a message, never crashing."""
import contextlib
import json
import string
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.parsing import (
    EARLIEST,
    LATEST,
    MAX_ID,
    InputError,
    add_duration,
    json_depth,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_id,
    parse_int,
    parse_json,
    parse_text,
    parse_time_window,
)

UNICODE_DIGITS = ["²", "١٢", "٣", "𝟙", "５", "߁", "໒"]
ANYTHING = st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans(),
                     st.decimals(), st.lists(st.integers(), max_size=3))


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_digits_of_other_scripts_are_not_numbers(digits):
    """str.isdigit() takes these and int() takes some: the parsers take none."""
    assert parse_id(digits) is None
    with pytest.raises(InputError, match="digits 0–9"):
        parse_int(digits)
    with pytest.raises(InputError):
        parse_decimal(digits, minimum=Decimal(0), maximum=Decimal(10))


@given(st.integers(min_value=0, max_value=10**6).map(str))
def test_ascii_whole_numbers_read_as_themselves(text):
    assert parse_int(text, maximum=10**6) == int(text)


@pytest.mark.parametrize("text", ["9" * 20, "9" * 5000, str(2**31)])
def test_huge_integers_are_refused_by_their_bounds(text):
    with pytest.raises(InputError, match="whole number"):
        parse_int(text)


@pytest.mark.parametrize("text", ["9" * 20, "9" * 5000, str(2**63)])
def test_ids_past_a_bigint_name_no_row(text):
    assert parse_id(text) is None


def test_ids_stop_at_the_largest_bigint():
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None
    assert parse_id("0") is None
    assert parse_id(True) is None


@given(ANYTHING)
def test_every_parser_returns_or_refuses_never_crashes(value):
    for parse, kwargs in ((parse_int, {}), (parse_decimal, {"minimum": Decimal(-5), "maximum": Decimal(5)}),
                          (parse_date, {}), (parse_datetime, {}), (parse_text, {"max_length": 5}),
                          (parse_time_window, {})):
        with contextlib.suppress(InputError):
            parse(value, **kwargs)
    parse_id(value)


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN", "1e3", "1E-2",
                                  "1" * 30, "0x10", "1_000"])
def test_decimals_are_finite_plain_and_bounded(text):
    with pytest.raises(InputError):
        parse_decimal(text, minimum=Decimal(-10**6), maximum=Decimal(10**6))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(InputError, match="NaN or infinity"):
        parse_decimal(value, minimum=Decimal(0), maximum=Decimal(10))


@given(st.decimals(min_value=-1000, max_value=1000, places=2))
def test_decimals_within_bounds_read_exactly(number):
    assert parse_decimal(str(number), minimum=Decimal(-1000), maximum=Decimal(1000)) == number


def test_decimal_places_and_comma():
    assert parse_decimal("12,50", minimum=Decimal(0), maximum=Decimal(100)) == Decimal("12.5")
    assert parse_decimal("12.500", minimum=Decimal(0), maximum=Decimal(100)) == Decimal("12.5")
    with pytest.raises(InputError, match="at most 2 decimals"):
        parse_decimal("12.505", minimum=Decimal(0), maximum=Decimal(100))


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
def test_dates_at_the_calendar_edges_are_refused(text):
    with pytest.raises(InputError, match="from 1900-01-01 to 2199-12-31"):
        parse_date(text)
    with pytest.raises(InputError, match="from 1900-01-01 to 2199-12-31"):
        parse_datetime(text + "T12:00")


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "26-1-1", "２０２６-01-01", "2026-01-01x", ""])
def test_malformed_dates_are_refused(text):
    with pytest.raises(InputError):
        parse_date(text)


@given(st.dates(min_value=EARLIEST, max_value=LATEST))
def test_every_date_in_range_reads_back(day):
    assert parse_date(day.isoformat()) == day


def test_times_may_carry_an_offset():
    assert parse_datetime("2026-05-03T14:30").tzinfo is None
    assert parse_datetime("2026-05-03T14:30:00+02:00").utcoffset() == timedelta(hours=2)
    assert parse_datetime("2026-05-03 14:30Z").utcoffset() == timedelta(0)


def test_a_window_mixing_offset_aware_and_naive_times_is_refused():
    with pytest.raises(InputError, match="UTC offset, or neither"):
        parse_time_window({"start": "2026-05-03T14:00+02:00", "end": "2026-05-03T16:00"})


def test_a_window_must_end_after_it_starts():
    with pytest.raises(InputError, match="end after it starts"):
        parse_time_window({"start": "2026-05-03T16:00", "end": "2026-05-03T14:00"})
    start, end = parse_time_window({"start": "2026-05-03T14:00Z", "end": "2026-05-03T16:00+01:00"})
    assert end - start == timedelta(hours=1)


def test_adding_a_duration_past_the_calendar_is_a_refusal_not_an_overflow():
    with pytest.raises(InputError, match="ends after 2199-12-31"):
        add_duration(datetime(2199, 12, 31, 23, 0), timedelta(hours=2))
    with pytest.raises(InputError):
        add_duration(datetime(9999, 12, 31, 23, 0), timedelta(hours=2))
    assert add_duration(datetime(2026, 1, 1), timedelta(hours=2)) == datetime(2026, 1, 1, 2)


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\x00", "bell\x07"])
def test_text_refuses_lone_surrogates_and_control_characters(text):
    with pytest.raises(InputError):
        parse_text(text, max_length=100)


def test_text_with_lines_keeps_line_breaks_and_is_bounded():
    assert parse_text(" two\nlines\t ", max_length=20, multiline=True) == "two\nlines"
    with pytest.raises(InputError, match="control characters"):
        parse_text("two\nlines", max_length=20)
    with pytest.raises(InputError, match="too long: 21 characters, at most 20"):
        parse_text("x" * 21, max_length=20)


@pytest.mark.parametrize("text", ["[" * 2000, "{\"a\":" * 2000, "[" * 2000 + "]" * 2000, "[[[[[[1]]]]]]"])
def test_deep_json_is_refused_before_parsing(text):
    with pytest.raises(InputError, match="nested too deeply"):
        parse_json(text, max_depth=5)


def test_brackets_inside_strings_do_not_count_as_depth():
    assert json_depth(json.dumps({"note": "[[[[{{{{" * 100}), 5) == 1
    assert parse_json('{"a": "]]]]\\"[[[["}', max_depth=1) == {"a": ']]]]"[[[['}


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": NaN}', "NaN"), ('[Infinity]', "Infinity"), ("[1e999]", "too large"),
    ('{"a": "\\ud800"}', "lone surrogate"), ('{"\\udc00": 1}', "lone surrogate"),
    ("[" + "1" * 5000 + "]", "not valid JSON"), ('{"a": ', "not valid JSON"), (b"\xff\xfe", "UTF-8"),
])
def test_json_refuses_what_cannot_be_stored(text, message):
    with pytest.raises(InputError, match=message):
        parse_json(text)


def test_json_is_bounded_in_size():
    with pytest.raises(InputError, match="too large: 21 bytes, at most 20"):
        parse_json(json.dumps("x" * 19), max_bytes=20)


def test_surrogate_pairs_are_fine():
    assert parse_json('["\\ud83d\\ude00"]') == ["😀"]


@given(st.text(alphabet=string.printable + "[]{}\"\\", max_size=60))
def test_json_text_of_any_shape_parses_or_is_refused(text):
    with contextlib.suppress(InputError):
        parse_json(text, max_depth=3)


@given(st.recursive(st.none() | st.integers() | st.text(max_size=5), lambda inner: st.lists(inner, max_size=3) |
                    st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=20))
def test_json_depth_counts_like_the_document(document):
    def depth(item):
        if isinstance(item, list):
            return 1 + max((depth(i) for i in item), default=0)
        if isinstance(item, dict):
            return 1 + max((depth(i) for i in item.values()), default=0)
        return 0
    assert json_depth(json.dumps(document), 100) == depth(document)


def test_a_date_of_the_range_is_far_from_the_end_of_the_calendar():
    """The reason for the range: a zone conversion or a long appointment never overflows."""
    assert datetime.combine(LATEST, datetime.max.time()) + timedelta(days=366) < datetime.max
    assert datetime.combine(EARLIEST, datetime.min.time()) - timedelta(days=366) > datetime.min
    assert date(1900, 1, 1) == EARLIEST

"""The one CSV writer: text that would run as a formula is defused, values stay machine-readable."""
import csv
import io

import pytest

from portal.web.csv import CHUNK_ROWS, csv_chunks, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("x")'])
def test_text_starting_like_a_formula_is_prefixed(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["+4915112345678", "-5.5", "-12", "Anna", "", 3, -2.5])
def test_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value


def test_none_is_an_empty_cell():
    assert safe_cell(None) == ""


def test_chunks_hold_the_header_then_every_row_guarded():
    rows = [(n, f"=evil{n}") for n in range(CHUNK_ROWS * 2 + 3)]
    chunks = list(csv_chunks(("id", "note"), iter(rows)))
    assert len(chunks) == 3  # two full chunks and the rest
    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    assert parsed[0] == ["id", "note"]
    assert parsed[1:] == [[str(n), f"'=evil{n}"] for n in range(len(rows))]

"""The one CSV writer: text that would run as a formula is defused, values stay machine-readable."""
import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.web.csv import CHUNK_ROWS, PLAIN_NUMBER, csv_chunks, csv_response, safe_cell

FORMULA = ("=", "+", "-", "@", "\t", "\r")


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


@pytest.mark.parametrize(("text", "safe"), [
    ("Anna;=1+1", "Anna;'=1+1"),  # German-locale Excel splits on ;
    ("Anna,=1+1", "Anna,'=1+1"),
    ("Anna; =HYPERLINK(\"x\")", "Anna; '=HYPERLINK(\"x\")"),
    ("a;@cmd;+SUM(A1)", "a;'@cmd;'+SUM(A1)"),
    ("x,\tcmd", "x,'\tcmd"),
    ("x;\rcmd", "x;'\rcmd"),
    ("=1;=2", "'=1;'=2"),
])
def test_formula_after_a_separator_is_prefixed(text, safe):
    assert safe_cell(text) == safe


@pytest.mark.parametrize("text", ["Anna;+4915112345678", "fee,-5.5", "a; -12", "Müller, Anna", "x;y,z"])
def test_numbers_and_text_after_a_separator_are_left_alone(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("delimiter", [",", ";"])
@given(text=st.text(alphabet=st.sampled_from("=+-@\t\r,; aA1."), max_size=20))
def test_no_cell_of_either_locale_starts_a_formula(delimiter, text):
    """Read back as a spreadsheet of either locale splits it (and split again on , and ;), no part
    of the exported text begins like a formula unless it is a plain number."""
    rows = list(csv.reader(io.StringIO("".join(csv_chunks(["h"], [[text]]))), delimiter=delimiter))
    for cell in (cell for row in rows[1:] for cell in row):
        for part in re.split("[,;]", cell):
            runnable = part.lstrip(" ")
            assert not runnable.startswith(FORMULA) or PLAIN_NUMBER.fullmatch(runnable.rstrip(" ")), (text, part)


def test_exports_are_never_stored_by_caches(app):
    with app.test_request_context():
        response = csv_response("x.csv", ["a"], [["Anna;=1+1"]])
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="x.csv"'

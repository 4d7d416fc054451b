"""A message kept as JSON data (a modification's fee rule and checks) comes back as the same
message: the same English, and the same words in German."""

import json
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.messages import (
    M_,
    MC_,
    Localized,
    Money,
    Span,
    english_text,
    from_message_data,
    message_data,
)

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
leaf = st.one_of(
    text,
    st.integers(-1000, 1000),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
    st.decimals(min_value=0, max_value=1000, places=2).map(Money),
    st.integers(0, 10_000).map(lambda minutes: Span(timedelta(minutes=minutes), f"{minutes} min")),
    st.tuples(text, text).map(lambda pair: Localized(pair[0], de=pair[1])),
)
messages = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda fee, source: M_("%(fee)s: fixed fee (%(source)s)", fee=fee, source=source), inner, inner),
        st.builds(lambda what: MC_("delivery", "cancelled %(what)s", what=what), inner),
    ),
    max_leaves=6,
)


@given(messages)
def test_a_message_survives_its_json_data(value):
    data = json.loads(json.dumps(message_data(value)))  # as a JSON column stores it
    again = from_message_data(data)
    assert english_text(again) == english_text(value)
    assert type(again) is type(value) or (isinstance(value, str) and isinstance(again, str))
    assert message_data(again) == message_data(value)


def test_data_of_another_shape_is_shown_as_it_is():
    broken = {"msgid": "%(missing)s", "params": {"other": 1}}
    assert from_message_data(broken) == str(broken)
    assert from_message_data(["a"]) == "['a']"
    assert from_message_data("plain") == "plain"
    assert from_message_data({"money": "not a number"}) == "{'money': 'not a number'}"
    assert from_message_data(Decimal("1")) == "1"

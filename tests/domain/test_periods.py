"""split_range covers a range exactly once with edges, whole days and whole months."""
from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.periods import DAY, MONTH, split_range

moments = st.none() | st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2031, 1, 1))


def owners(split, moment: datetime) -> int:
    """How many pieces of the split contain `moment`."""
    count = sum(1 for lo, hi in split.edges if lo <= moment < hi)
    for piece in split.buckets:
        period = moment.date() if piece.span == DAY else moment.date().replace(day=1)
        count += (piece.first is None or period >= piece.first) and (piece.after is None or period < piece.after)
    return count


@given(moments, moments, st.datetimes(min_value=datetime(2018, 1, 1), max_value=datetime(2032, 1, 1)))
def test_every_instant_of_the_range_is_in_exactly_one_piece_and_no_other_is_in_any(start, end, moment):
    split = split_range(start, end)
    inside = (start is None or moment >= start) and (end is None or moment < end)
    assert owners(split, moment) == (1 if inside else 0)


@given(moments, moments)
def test_edges_are_shorter_than_a_day_and_day_runs_shorter_than_two_months(start, end):
    split = split_range(start, end)
    assert len(split.edges) <= 2
    assert all(hi - lo < timedelta(days=1) for lo, hi in split.edges)
    days = [p for p in split.buckets if p.span == DAY]
    assert all(p.first is not None and p.after is not None and (p.after - p.first).days <= 62 for p in days)
    assert len([p for p in split.buckets if p.span == MONTH]) <= 1


def test_a_month_of_local_days_in_berlin_is_edges_and_whole_days():
    start, end = datetime(2026, 2, 28, 23), datetime(2026, 3, 31, 22)  # 1–31 March, Europe/Berlin
    split = split_range(start, end)
    assert split.edges == ((start, datetime(2026, 3, 1)), (datetime(2026, 3, 31), end))
    assert [(p.span, p.first, p.after) for p in split.buckets] == [(DAY, date(2026, 3, 1), date(2026, 3, 31))]


def test_all_of_history_is_whole_months():
    assert [(p.span, p.first, p.after) for p in split_range(None, None).buckets] == [(MONTH, None, None)]
    assert split_range(datetime.combine(date(2025, 1, 1), time.min), None).edges == ()

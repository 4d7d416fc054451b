"""Splitting a time range into whole UTC days and months, and the rest.

Totals over a long history are read from per-day and per-month buckets. A range [start, end)
of UTC instants (None: open on that side) becomes at most two edge pieces shorter than a day
(counted from the rows themselves), at most two runs of whole days (at most a month each) and
one run of whole months: the work depends on the range's edges, never on how much history lies
between them.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY, MONTH = "day", "month"


@dataclass(frozen=True)
class Buckets:
    """Whole periods of one span: `first` up to, not including, `after` (None: open)."""

    span: str
    first: date | None
    after: date | None


@dataclass(frozen=True)
class Split:
    edges: tuple[tuple[datetime, datetime], ...]  # [from, to) pieces read from the rows
    buckets: tuple[Buckets, ...]


def _next_midnight(moment: datetime) -> date:
    day = moment.date()
    return day if moment.time() == time.min else day + timedelta(days=1)


def _next_month(day: date) -> date:
    if day.day == 1:
        return day
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_range(start: datetime | None, end: datetime | None) -> Split:
    """[start, end) as edge pieces and whole days and months, each instant in exactly one."""
    first_day = _next_midnight(start) if start is not None else None
    after_day = end.date() if end is not None else None
    if first_day is not None and after_day is not None and first_day >= after_day:
        return Split(((start, end),) if start is not None and end is not None and start < end else (), ())
    edges = []
    if start is not None and first_day is not None and start < datetime.combine(first_day, time.min):
        edges.append((start, datetime.combine(first_day, time.min)))
    if end is not None and after_day is not None and datetime.combine(after_day, time.min) < end:
        edges.append((datetime.combine(after_day, time.min), end))
    return Split(tuple(edges), _whole_periods(first_day, after_day))


def _whole_periods(first_day: date | None, after_day: date | None) -> tuple[Buckets, ...]:
    first_month = _next_month(first_day) if first_day is not None else None
    after_month = after_day.replace(day=1) if after_day is not None else None
    if first_month is not None and after_month is not None and first_month >= after_month:
        return (Buckets(DAY, first_day, after_day),)
    pieces = []
    if first_day is not None and first_month is not None and first_day < first_month:
        pieces.append(Buckets(DAY, first_day, first_month))
    pieces.append(Buckets(MONTH, first_month, after_month))
    if after_day is not None and after_month is not None and after_month < after_day:
        pieces.append(Buckets(DAY, after_month, after_day))
    return tuple(pieces)

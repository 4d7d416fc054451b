"""Company-local time for people, naive UTC for the database.

Appointments are stored in naive UTC (portal.models.utcnow); people read and type them in the
company's time zone, so pages convert at the edges and nowhere else.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


def to_local(moment: datetime, tz_name: str) -> datetime:
    """A naive UTC datetime as an aware datetime in the company's zone."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name))


def from_local(local: datetime, tz_name: str) -> datetime:
    """A naive company-local datetime (as typed) as naive UTC."""
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC).replace(tzinfo=None)


def local_days(first: date | None, last: date | None,
               tz_name: str) -> tuple[datetime | None, datetime | None]:
    """[start, end) in naive UTC of the local days `first`..`last` (both included; None: open)."""
    start = from_local(datetime.combine(first, time.min), tz_name) if first else None
    end = from_local(datetime.combine(last + timedelta(days=1), time.min), tz_name) if last else None
    return start, end


def whole_seconds(moment: datetime) -> datetime:
    """Drop microseconds: MariaDB DATETIME keeps none, so stored and compared values agree."""
    return moment.replace(microsecond=0)


def local_day_bounds(now_utc: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """Start and end (naive UTC) of the company's local calendar day containing `now_utc`."""
    start = datetime.combine(to_local(now_utc, tz_name).date(), time.min)
    return from_local(start, tz_name), from_local(start + timedelta(days=1), tz_name)

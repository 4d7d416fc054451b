"""What part of the company a signed-in user works on."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.models import User


@dataclass(frozen=True)
class Scope:
    company_id: int
    branch_id: int | None  # None: the whole company
    staff_id: int | None

    @classmethod
    def of(cls, user: User) -> "Scope":
        return cls(user.company_id, user.branch_id if not user.is_admin else None, user.staff_id)


def local_day_bounds(now_utc: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """Start and end (naive UTC) of the company's local calendar day containing `now_utc`."""
    zone = ZoneInfo(tz_name)
    local_now = now_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    start = datetime.combine(local_now.date(), time.min, tzinfo=zone)
    end = start + timedelta(days=1)
    to_utc = lambda moment: moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)  # noqa: E731
    return to_utc(start), to_utc(end)

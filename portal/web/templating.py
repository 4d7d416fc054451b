"""Template filters every area shares."""
from datetime import datetime

from flask_login import current_user

from portal.domain.clock import to_local

DEFAULT_PATTERN = "%a %d %b %Y, %H:%M %Z"


def company_tz() -> str:
    """The signed-in user's company time zone (UTC for anonymous pages)."""
    if current_user and current_user.is_authenticated:
        return current_user.company.timezone or "UTC"
    return "UTC"


def local_time(moment: datetime | None, pattern: str = DEFAULT_PATTERN) -> str:
    """A stored (naive UTC) time as people of the company read it: in its time zone."""
    if moment is None:
        return "—"
    return to_local(moment, company_tz()).strftime(pattern)


def register(app) -> None:
    app.add_template_filter(local_time, "local_time")

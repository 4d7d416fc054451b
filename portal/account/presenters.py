"""View models of My account: sessions as people recognise them."""
import re
from dataclasses import dataclass
from datetime import datetime

from portal.domain.messages import M_
from portal.models import UserSession

BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), (r"iPhone|iPad", "iOS"), ("Windows", "Windows"),
           ("Mac OS X|Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device(user_agent: str) -> str:
    """'Firefox on Windows' from a user-agent string; the raw text is kept for the title."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), None)
    system = next((name for pattern, name in SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return M_("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or (M_("Unknown device") if not user_agent else user_agent[:40])


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    user_agent: str
    address: str
    signed_in: datetime
    last_seen: datetime
    is_current: bool


def session_rows(sessions: list[UserSession], current_id: int) -> list[SessionRow]:
    """The current session first, then the others by last use."""
    rows = [SessionRow(s.id, device(s.user_agent), s.user_agent, s.ip or "unknown", s.created_at,
                       s.last_seen_at, s.id == current_id) for s in sessions]
    return sorted(rows, key=lambda row: not row.is_current)

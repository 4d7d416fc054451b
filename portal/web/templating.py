"""Template filters every area shares."""
from datetime import datetime

from flask_login import current_user
from markupsafe import Markup, escape

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


def html_attrs(attrs: dict) -> Markup:
    """Attributes as HTML: a True value is a bare boolean attribute (`required`), False and None
    leave the attribute out, everything else is escaped (xmlattr would write required="True",
    which HTML does not allow)."""
    parts = [str(escape(name)) if value is True else f'{escape(name)}="{escape(value)}"'
             for name, value in attrs.items() if value is not None and value is not False]
    return Markup("".join(f" {part}" for part in parts))


def iso_utc(moment: datetime) -> str:
    """A stored (naive UTC) time as a machine-readable instant, whole seconds: 2026-05-03T12:30:00Z
    (for <time datetime> and data-* hooks; the Nu checker allows at most 3 decimals)."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def register(app) -> None:
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(html_attrs, "html_attrs")
    app.add_template_filter(iso_utc, "iso_utc")

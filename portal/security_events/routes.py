"""The security event log for admins: sign-ins, failures, lockouts, MFA, sessions, refusals."""
from datetime import date

from flask import current_app, render_template, request
from flask_babel import gettext as _

from portal.domain.parsing import parse_id
from portal.security_events import bp
from portal.services.accounts.events import KINDS
from portal.services.accounts.security_log import EventFilters, company_users, events_page
from portal.web.scope import current_scope
from portal.web.security import roles_required
from portal.web.templating import company_tz

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _day(name: str, errors: dict[str, str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = _("Enter a date such as 2026-05-03.")
        return None
    return day


def read_filters() -> tuple[EventFilters, dict[str, str]]:
    """The filters of the query string; unknown kinds and users are errors named by field."""
    errors: dict[str, str] = {}
    kind = request.args.get("kind", "").strip() or None
    if kind is not None and kind not in KINDS:
        errors["kind"], kind = _("Choose a kind from the list."), None
    user_text = request.args.get("user", "").strip()
    user_id = parse_id(user_text) if user_text else None
    if user_text and user_id is None:
        errors["user"] = _("Choose a person from the list.")
    filters = EventFilters(kind, user_id, _day("from", errors), _day("to", errors))
    return filters, errors


@bp.get("/security/events")
@roles_required("admin")
def index():
    filters, errors = read_filters()
    page_number = parse_id(request.args.get("page", "1")) or 1
    page = events_page(current_scope(), filters, company_tz(), page_number,
                       current_app.config.get("PAGE_SIZE", 25) * 2)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("security_events/index.html", page=page, filters=filters, errors=errors,
                           kinds=KINDS, users=company_users(current_scope()), args=args,
                           raw=request.args), 400 if errors else 200

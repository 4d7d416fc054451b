"""Forms of the callbacks area: new request, queue filters, the inputs of actions."""
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from portal.domain.callbacks import PRIORITIES
from portal.services.callbacks.queue import ASSIGNEES, TABS, QueueFilter

SEARCH_MAX = 100


class NewCallbackForm(FlaskForm):
    """What an agent types while the customer is on the phone. The rules live in
    services.callbacks_intake.parse_intake (shared with the API); the form only carries the values."""

    customer_name = StringField("Customer's name")
    phone_number = StringField("Phone number", render_kw={"type": "tel", "autocomplete": "off"})
    customer_email = StringField("Email (optional)", render_kw={"type": "email"})
    branch_id = SelectField("Branch", validate_choice=False)
    service_id = SelectField("Service (optional)", validate_choice=False)
    staff_id = SelectField("Preferred staff member (optional)", validate_choice=False)
    priority = SelectField("Priority", choices=[SelectChoice(p, p.capitalize()) for p in PRIORITIES],
                           validate_choice=False)
    window_start = StringField("Call back from", render_kw={"type": "datetime-local"})
    window_end = StringField("until", render_kw={"type": "datetime-local"})
    notes = TextAreaField("Note", render_kw={"rows": 4})

    def intake_values(self) -> dict:
        """The submitted values as parse_intake expects them."""
        values = {name: self[name].data for name in (
            "customer_name", "phone_number", "customer_email", "branch_id", "service_id", "staff_id",
            "priority", "notes")}
        if self.window_start.data or self.window_end.data:
            values["preferred_time_window"] = {"start": self.window_start.data or "",
                                               "end": self.window_end.data or ""}
        return values

    def show_errors(self, errors: dict) -> None:
        """Put the service's messages beside their fields."""
        for name, message in errors.items():
            field = self["window_start"] if name == "preferred_time_window" else self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, message]


def read_queue_filter(args: MultiDict) -> tuple[QueueFilter, str | None]:
    """The queue's filters from the query string; a value outside the lists is a message."""
    tab = args.get("tab") or "open"
    priority = args.get("priority") or ""
    assignee = args.get("assignee") or "anyone"
    branch = args.get("branch") or ""
    if tab not in TABS:
        return QueueFilter(), f"Unknown tab {tab[:20]!r}."
    if priority and priority not in PRIORITIES:
        return QueueFilter(), f"Priority must be one of {', '.join(PRIORITIES)}."
    if assignee not in ASSIGNEES:
        return QueueFilter(), "Assignee must be me, unassigned or anyone."
    if branch and not branch.isdigit():
        return QueueFilter(), "Unknown branch."
    return QueueFilter(tab=tab, priority=priority, branch_id=int(branch) if branch else None,
                       assignee=assignee, overdue=args.get("overdue") in ("1", "on", "true"),
                       search=(args.get("q") or "").strip()[:SEARCH_MAX]), None


def read_version(form: MultiDict) -> int | None:
    """The version of the callback the page showed, or None when the form lacks it."""
    value = form.get("version", "")
    return int(value) if value.isdigit() else None


def read_bulk_selection(form: MultiDict) -> list[tuple[int, int]] | None:
    """The (callback id, version) pairs ticked in the queue; None when one is malformed."""
    pairs = []
    for value in form.getlist("callbacks"):
        ident, _, version = value.partition(":")
        if not (ident.isdigit() and version.isdigit()):
            return None
        pairs.append((int(ident), int(version)))
    return pairs

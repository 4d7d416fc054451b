"""Forms of the callbacks area: new request, queue filters, the inputs of actions."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from portal.domain.callbacks import PRIORITIES
from portal.domain.parsing import MAX_ID, InputError, parse_int
from portal.services.callbacks.queue import ASSIGNEES, TABS, QueueFilter
from portal.translations.labels import LABELS
from portal.web.inputs import arg_choice, arg_id, arg_text

SEARCH_MAX = 100


class NewCallbackForm(FlaskForm):
    """What an agent types while the customer is on the phone. The rules live in
    services.callbacks_intake.parse_intake (shared with the API); the form only carries the values."""

    customer_name = StringField(_l("Customer's name"))
    phone_number = StringField(_l("Phone number"), render_kw={"type": "tel", "autocomplete": "off"})
    customer_email = StringField(_l("Email (optional)"), render_kw={"type": "email"})
    branch_id = SelectField(_l("Branch"), validate_choice=False)
    service_id = SelectField(_l("Service (optional)"), validate_choice=False)
    staff_id = SelectField(_l("Preferred staff member (optional)"), validate_choice=False)
    priority = SelectField(_l("Priority"), choices=[SelectChoice(p,
                                                                 LABELS["priority"][p]) for p in PRIORITIES],
                           validate_choice=False)
    window_start = StringField(_l("Call back from"), render_kw={"type": "datetime-local"})
    window_end = StringField(_l("until"), render_kw={"type": "datetime-local"})
    notes = TextAreaField(_l("Note"), render_kw={"rows": 4})

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


def read_queue_filter(args: MultiDict) -> QueueFilter:
    """The queue's filters from the query string; a value outside the lists is a 400 naming it."""
    return QueueFilter(
        tab=arg_choice("tab", TABS, "open", source=args),
        priority=arg_choice("priority", PRIORITIES, "", source=args),
        branch_id=arg_id("branch", source=args),
        assignee=arg_choice("assignee", ASSIGNEES, "anyone", source=args),
        overdue=args.get("overdue") in ("1", "on", "true"),
        search=arg_text("q", SEARCH_MAX, source=args))


def read_bulk_selection(form: MultiDict) -> list[tuple[int, int]] | None:
    """The (callback id, version) pairs ticked in the queue; None when one is malformed."""
    pairs = []
    for value in form.getlist("callbacks"):
        ident, _, version = value.partition(":")
        try:
            pairs.append((parse_int(ident, minimum=1, maximum=MAX_ID), parse_int(version, minimum=0)))
        except InputError:
            return None
    return pairs

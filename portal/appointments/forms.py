"""Forms of the appointments area: list and audit filters (GET), the confirm forms (POST)."""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from portal.domain.parsing import InputError, parse_datetime
from portal.models import APPOINTMENT_STATUSES, MODIFICATION_TYPES
from portal.translations.labels import LABELS
from portal.web.fields import DayField, ValidText, optional_id
from portal.web.widgets import SelectField

YES_NO = [SelectChoice("", _l("Any")), SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


def yes_no(value):
    return {"yes": True, "no": False}.get(value) if value else None


def id_choices(blank: str, rows) -> list[SelectChoice]:
    """Choices of a select of records (branches, staff) with a blank "any" first."""
    return [SelectChoice("", blank)] + [SelectChoice(str(row.id), row.name) for row in rows]


def parse_local(text: str | None) -> datetime | None:
    """A typed local date and time ("2026-05-03T14:30", within the input layer's calendar range),
    or None when it is not one. An offset is not a local time: None too."""
    try:
        moment = parse_datetime(text)
    except InputError:
        return None
    return moment if moment.tzinfo is None else None


class FilterForm(FlaskForm):
    """Read-only GET filters: no CSRF token (nothing changes), messages beside the fields."""

    class Meta:
        csrf = False

    date_from = DayField(_l("From"))
    date_to = DayField(_l("To"))
    branch = SelectField(_l("Branch"), coerce=optional_id, validate_choice=True)
    customer = StringField(_l("Customer"), validators=[ValidText(100)],
                           description=_l("Name, phone or email"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date is before the start date."))


class AppointmentFilterForm(FilterForm):
    staff = SelectField(_l("Staff"), coerce=optional_id)
    status = SelectField(_l("Status"), default="", choices=[SelectChoice("", _l("Any status"))] +
                         [SelectChoice(status, LABELS["status"][status]) for status in APPOINTMENT_STATUSES])


class AuditFilterForm(FilterForm):
    type = SelectField(_l("Type"), default="", choices=[SelectChoice("", _l("Any type"))] +
                       [SelectChoice(kind, LABELS["modification_verb"][kind]) for kind in MODIFICATION_TYPES])
    within_policy = SelectField(_l("Within policy"), default="", choices=YES_NO)
    fee_charged = SelectField(_l("Fee charged"), default="", choices=YES_NO)


class ConfirmForm(FlaskForm):
    """Confirming a previewed cancel or reschedule."""

    seen = HiddenField()
    scope = HiddenField(default="single")
    reason = TextAreaField(_l("Reason"), validators=[ValidText(2000, multiline=True)],
                           description=_l("Required when the rules ask for one, and whenever you "
                                          "override a denial."))
    force = BooleanField(_l("Override the rules and record this as out of policy"))
    waive_fee = BooleanField(_l("Waive the fee"))
    waiver_reason = StringField(_l("Why the fee is waived"), validators=[ValidText(2000, multiline=True)])


class RescheduleConfirmForm(ConfirmForm):
    new_time = HiddenField()

"""Forms of the appointments area: list and audit filters (GET), the confirm forms (POST)."""
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError

from portal.models import APPOINTMENT_STATUSES, MODIFICATION_TYPES

LOCAL_INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")
YES_NO = [SelectChoice("", "Any"), SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def optional_int(value):
    """Select value to int; blank means "any" (None). A crafted non-number fails validation."""
    if value in (None, "", "None"):
        return None
    return int(value)


def yes_no(value):
    return {"yes": True, "no": False}.get(value) if value else None


def id_choices(blank: str, rows) -> list[SelectChoice]:
    """Choices of a select of records (branches, staff) with a blank "any" first."""
    return [SelectChoice("", blank)] + [SelectChoice(str(row.id), row.name) for row in rows]


def parse_local(text: str | None) -> datetime | None:
    """A typed local date and time ("2026-05-03T14:30"), or None when it does not parse."""
    for pattern in LOCAL_INPUT_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), pattern)
        except ValueError:
            continue
    return None


class FilterForm(FlaskForm):
    """Read-only GET filters: no CSRF token (nothing changes), messages beside the fields."""

    class Meta:
        csrf = False

    date_from = DateField("From", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField("To", validators=[Optional()], format="%Y-%m-%d")
    branch = SelectField("Branch", coerce=optional_int, validate_choice=True)
    customer = StringField("Customer", validators=[Length(max=100)],
                           description="Name, phone or email")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")


class AppointmentFilterForm(FilterForm):
    staff = SelectField("Staff", coerce=optional_int)
    status = SelectField("Status", default="", choices=[SelectChoice("", "Any status")] +
                         [SelectChoice(status, status.replace("_", " ").capitalize())
                          for status in APPOINTMENT_STATUSES])


class AuditFilterForm(FilterForm):
    type = SelectField("Type", default="", choices=[SelectChoice("", "Any type")] +
                       [SelectChoice(kind, kind.capitalize()) for kind in MODIFICATION_TYPES])
    within_policy = SelectField("Within policy", default="", choices=YES_NO)
    fee_charged = SelectField("Fee charged", default="", choices=YES_NO)


class ConfirmForm(FlaskForm):
    """Confirming a previewed cancel or reschedule."""

    seen = HiddenField()
    scope = HiddenField(default="single")
    reason = TextAreaField("Reason", validators=[Length(max=2000)],
                           description="Required when the rules ask for one, and whenever you "
                                       "override a denial.")
    force = BooleanField("Override the rules and record this as out of policy")
    waive_fee = BooleanField("Waive the fee")
    waiver_reason = StringField("Why the fee is waived", validators=[Length(max=2000)])


class RescheduleConfirmForm(ConfirmForm):
    new_time = HiddenField()

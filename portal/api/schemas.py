"""Marshmallow schemas of every API body: what a request may carry, what an answer holds.

flask-smorest turns them into the OpenAPI document, and webargs refuses a request that does not
match (422 with the field errors; unknown fields are refused too, marshmallow's default).
"""

from marshmallow import Schema, ValidationError, fields, validate

from portal.domain.api_scopes import SCOPES
from portal.domain.decisions import CANCEL, RESCHEDULE
from portal.domain.messages import english_text
from portal.domain.notifications import CHANNELS
from portal.domain.organisation import CONSENT_CHANNELS, LANGUAGES
from portal.domain.policy_schema import POLICY_TYPES
from portal.models.appointments import APPOINTMENT_STATUSES
from portal.models.callbacks import CALLBACK_STATUSES, PRIORITIES

EXTERNAL_ID = r"^[A-Za-z0-9._:@-]{1,100}$"
EXTERNAL_ID_HELP = "The booking system's id: 1–100 letters, digits or . _ : @ -"
MONEY_MAX = 99_999_999  # fits the decimal(10,2) columns


def in_money_range(value) -> None:
    # A function, not validate.Range: a Range of a decimal-as-text field is documented with text
    # bounds, which is not valid OpenAPI.
    if not 0 <= value <= MONEY_MAX:
        raise ValidationError(f"Must be between 0 and {MONEY_MAX}.")


def external_id(description: str = EXTERNAL_ID_HELP, **kwargs) -> fields.String:
    return fields.String(
        validate=validate.Regexp(EXTERNAL_ID, error=EXTERNAL_ID_HELP),
        metadata={"description": description, "example": "mitte"},
        **kwargs,
    )


def money(**kwargs) -> fields.Decimal:
    return fields.Decimal(
        places=2,
        as_string=True,
        allow_nan=False,
        validate=in_money_range,
        metadata={"description": f"EUR, 0 to {MONEY_MAX}", "example": "35.00"},
        **kwargs,
    )


class EnglishText(fields.String):
    """A text of the rules (a domain Message) as the API says it: in English, amounts as
    "15.00 EUR", whatever language the request asks for (the pages say it in theirs)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else super()._serialize(english_text(value), attr, obj, **kwargs)


class ProblemSchema(Schema):
    """An RFC 9457 problem document."""

    type = fields.String(required=True, metadata={"description": "A URI naming the kind of problem"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, and what to do"})
    error = fields.String(metadata={"description": "The same as `detail` (the v1 callback contract)"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "422: the refused fields, name → message"},
    )
    missing_scope = fields.String(validate=validate.OneOf(list(SCOPES)))
    decision = fields.Dict(metadata={"description": "A refused modification: the decision"})
    results = fields.List(fields.Dict(), metadata={"description": "A refused batch: each record's result"})


# --- callbacks -----------------------------------------------------------------------------------


class TimeWindowSchema(Schema):
    start = fields.String(required=True, metadata={"example": "2026-12-01T14:00"})
    end = fields.String(required=True, metadata={"example": "2026-12-01T16:00"})


class CallbackInSchema(Schema):
    """A callback request (read by the intake's own parser, whose messages are the contract)."""

    customer_name = fields.String(required=True, validate=validate.Length(max=200))
    phone_number = fields.String(
        required=True,
        metadata={
            "description": "Any common format; without a country code read in the company's region",
            "example": "0151 23456789",
        },
    )
    branch_id = fields.Integer(required=True)
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    service_id = fields.Integer(allow_none=True)
    staff_id = fields.Integer(allow_none=True)
    customer_email = fields.String(allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))
    preferred_time_window = fields.Nested(TimeWindowSchema, allow_none=True)


class CallbackCreatedSchema(Schema):
    id = fields.Integer(required=True)
    merged = fields.Boolean(required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    expires_at = fields.String(required=True, metadata={"description": "The SLA deadline, UTC"})
    message = fields.String(required=True)


class CallbackStatusSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(CALLBACK_STATUSES))
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    created_at = fields.String(required=True)
    expires_at = fields.String(required=True, metadata={"description": "The SLA deadline, UTC"})
    overdue = fields.Boolean(required=True)
    assignee = fields.String(allow_none=True, required=True, metadata={"description": "Who calls back"})
    contact_attempts = fields.Integer(required=True)
    contacted_at = fields.String(allow_none=True, required=True)
    completed_at = fields.String(allow_none=True, required=True)
    message = fields.String(
        required=True, metadata={"description": "The status in words, for the voice agent"}
    )


# --- sync --------------------------------------------------------------------------------------


class BranchSyncSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    city = fields.String(allow_none=True, validate=validate.Length(max=120))
    is_active = fields.Boolean()


class ServiceSyncSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    price = money(allow_none=True)
    duration_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=24 * 60))
    branches = fields.List(
        external_id(), metadata={"description": "External ids of the branches offering it"}
    )
    is_active = fields.Boolean()


class StaffSyncSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    branch = external_id("Home branch (external id)", allow_none=True)
    services = fields.List(external_id(), metadata={"description": "External ids of the services performed"})
    email = fields.Email(allow_none=True, validate=validate.Length(max=255))
    is_active = fields.Boolean()


class CustomerSyncSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={
            "description": "Stored as E.164; without a country code read in the company's region",
            "example": "+4915123456789",
        },
    )
    email = fields.Email(allow_none=True, validate=validate.Length(max=255))
    language = fields.String(allow_none=True, validate=validate.OneOf(LANGUAGES))
    consents = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CONSENT_CHANNELS)),
        values=fields.Boolean(),
        metadata={"description": "Per channel: true given, false refused"},
    )


class AppointmentSyncSchema(Schema):
    branch = external_id(required=True)
    service = external_id(required=True)
    staff = external_id(allow_none=True)
    customer = external_id(required=True)
    starts_at = fields.AwareDateTime(required=True, metadata={"example": "2026-12-04T10:00:00+01:00"})
    ends_at = fields.AwareDateTime(required=True, metadata={"example": "2026-12-04T10:45:00+01:00"})
    price = money(allow_none=True)
    status = fields.String(validate=validate.OneOf(APPOINTMENT_STATUSES))
    recurring_series_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))


SYNC_SCHEMAS = {
    "branch": BranchSyncSchema,
    "service": ServiceSyncSchema,
    "staff": StaffSyncSchema,
    "customer": CustomerSyncSchema,
    "appointment": AppointmentSyncSchema,
}


class SyncResultSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(list(SYNC_SCHEMAS)))
    external_id = fields.String(required=True)
    outcome = fields.String(
        required=True, validate=validate.OneOf(("created", "updated", "unchanged", "refused", "skipped"))
    )
    id = fields.Integer(allow_none=True, metadata={"description": "The portal's id (not when refused)"})
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.String())


class BatchRecordSchema(Schema):
    """One record of a batch: its type, external id and the fields of that type (checked per type)."""

    type = fields.String(required=True, validate=validate.OneOf(list(SYNC_SCHEMAS)))
    external_id = external_id(required=True)
    data = fields.Dict(
        required=True,
        metadata={"description": "The record's fields, as the single-record endpoint takes them"},
    )


class BatchSchema(Schema):
    records = fields.List(
        fields.Nested(BatchRecordSchema), required=True, validate=validate.Length(min=1, max=500)
    )
    best_effort = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Apply the accepted records even when some are refused (default: all or nothing)"
        },
    )


class BatchResultSchema(Schema):
    applied = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    results = fields.List(fields.Nested(SyncResultSchema), required=True)


# --- policies, decisions, modifications ------------------------------------------------------------


class PathQuerySchema(Schema):
    branch = external_id("Branch (external id)")
    service = external_id("Service (external id)")
    staff = external_id("Staff member (external id)")


class SourceSchema(Schema):
    level = fields.String(
        required=True, validate=validate.OneOf(("company", "branch", "service", "staff", "default"))
    )
    name = fields.String(allow_none=True, required=True)
    external_id = fields.String(allow_none=True, required=True)
    label = EnglishText(required=True, metadata={"example": "Branch Mitte"})


class PathNodeSchema(Schema):
    level = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    external_id = fields.String(allow_none=True, required=True)


class EffectiveValueSchema(Schema):
    value = fields.Raw(required=True, allow_none=True)
    source = fields.Nested(SourceSchema, required=True)
    overrides = fields.List(
        fields.Nested(SourceSchema),
        required=True,
        metadata={"description": "Less specific levels whose value this one replaces"},
    )


class EffectivePolicySchema(Schema):
    policy_type = fields.String(required=True, validate=validate.OneOf(POLICY_TYPES))
    path = fields.List(fields.Nested(PathNodeSchema), required=True)
    values = fields.Dict(keys=fields.String(), values=fields.Nested(EffectiveValueSchema), required=True)


class ActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf((CANCEL, RESCHEDULE)))
    new_starts_at = fields.AwareDateTime(
        metadata={"description": "Reschedule: the new start, ISO 8601 with offset"}
    )
    whole_series = fields.Boolean(
        load_default=False,
        metadata={"description": "Cancel: this appointment and the rest of its recurring series"},
    )


class ModificationInSchema(ActionSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    force = fields.Boolean(
        load_default=False,
        metadata={"description": "Record it although the rules deny it (needs decisions:force and a reason)"},
    )
    waive_fee = fields.Boolean(load_default=False)
    waiver_reason = fields.String(load_default="", validate=validate.Length(max=2000))


class RuleSchema(Schema):
    policy_type = fields.String(required=True)
    key = fields.String(required=True)
    label = EnglishText(required=True)
    value = fields.Raw(required=True, allow_none=True)
    shown = EnglishText(required=True)
    source = EnglishText(required=True, metadata={"example": "Branch Mitte"})
    level = fields.String(required=True)


class CheckSchema(Schema):
    rule = fields.String(required=True)
    passed = fields.Boolean(required=True)
    text = EnglishText(required=True)


class DecisionSchema(Schema):
    action = fields.String(required=True)
    scope = fields.String(required=True, metadata={"description": "single, or series"})
    allowed = fields.Boolean(required=True)
    reasons = fields.List(EnglishText(), required=True)
    hours_notice = fields.Decimal(as_string=True, required=True)
    hours_required = fields.Integer(allow_none=True, required=True)
    fee = fields.Decimal(as_string=True, required=True, metadata={"description": "EUR"})
    fee_rule = EnglishText(required=True)
    rolling_count = fields.Integer(required=True)
    checks = fields.List(fields.Nested(CheckSchema), required=True)
    rules = fields.List(fields.Nested(RuleSchema), required=True)
    appointments = fields.Integer(required=True, metadata={"description": "How many appointments it changes"})


class ModificationSchema(Schema):
    id = fields.Integer(required=True)
    appointment = fields.String(allow_none=True, required=True, metadata={"description": "External id"})
    modification_type = fields.String(required=True)
    within_policy = fields.Boolean(required=True)
    fee_charged = fields.Decimal(as_string=True, required=True)


class ModificationResultSchema(Schema):
    decision = fields.Nested(DecisionSchema, required=True)
    modifications = fields.List(fields.Nested(ModificationSchema), required=True)


# --- notifications -------------------------------------------------------------------------------


class CellSchema(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    enabled = fields.Boolean(required=True)
    locked = fields.Boolean(required=True)
    settings = fields.Dict(keys=fields.String(), values=fields.Nested(EffectiveValueSchema), required=True)


class AttemptSchema(Schema):
    minutes = fields.Integer(required=True, metadata={"description": "After the event fires"})
    channel = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("first", "retry", "fallback")))
    number = fields.Integer(required=True)
    wait_minutes = fields.Integer(required=True)
    template = fields.String(required=True, metadata={"description": "Empty: the standard template"})
    because_of = EnglishText(allow_none=True, required=True)


class NotificationPlanSchema(Schema):
    event_type = fields.String(required=True)
    label = EnglishText(required=True)
    active = fields.Boolean(required=True)
    path = fields.List(fields.Nested(PathNodeSchema), required=True)
    channels = fields.List(fields.Nested(CellSchema), required=True)
    plan = fields.List(fields.Nested(AttemptSchema), required=True)

"""One models package shared by every blueprint."""
from portal.models.accounts import END_REASONS, RecoveryCode, SecurityEvent, UserSession
from portal.models.api_tokens import ApiIdempotencyKey, ApiToken
from portal.models.appointments import (
    APPOINTMENT_STATUSES,
    MODIFICATION_TYPES,
    STAT_TYPES,
    Appointment,
    AppointmentModification,
    AppointmentModificationStat,
    AppointmentModificationStatTotal,
)
from portal.models.base import utcnow
from portal.models.callbacks import (
    CALLBACK_STATUSES,
    ESCALATION_REASONS,
    OPEN_STATUSES,
    PRIORITIES,
    PRIORITY_RANK,
    CallbackEscalation,
    CallbackRequest,
)
from portal.models.counters import (
    CLOSED_STATUSES,
    NO_ASSIGNEE,
    CallbackClosedCount,
    CallbackClosedTotal,
    CallbackPhoneLock,
    ModificationTotal,
)
from portal.models.deliveries import (
    ATTEMPT_KINDS,
    ATTEMPT_STATUSES,
    DELIVERY_STATUSES,
    Delivery,
    DeliveryAttempt,
)
from portal.models.links import LINK_PURPOSES, NO_PASSWORD, PasswordLink
from portal.models.notifications import (
    CHANNELS,
    EVENT_CATEGORIES,
    NotificationConfiguration,
    NotificationEventMapping,
)
from portal.models.org import Branch, Company, Customer, Service, Staff, branch_services, staff_services
from portal.models.policies import CONFIGURABLE_TYPES, PolicyConfiguration
from portal.models.users import ROLES, AuditEvent, User

ORIGINAL_TABLES = (
    "policy_configurations", "appointment_modifications", "appointment_modification_stats",
    "callback_requests", "callback_escalations", "notification_configurations",
    "notification_event_mappings",
)

__all__ = [
    "APPOINTMENT_STATUSES",
    "ATTEMPT_KINDS",
    "ATTEMPT_STATUSES",
    "CALLBACK_STATUSES",
    "CHANNELS",
    "CLOSED_STATUSES",
    "CONFIGURABLE_TYPES",
    "DELIVERY_STATUSES",
    "END_REASONS",
    "ESCALATION_REASONS",
    "EVENT_CATEGORIES",
    "LINK_PURPOSES",
    "MODIFICATION_TYPES",
    "NO_ASSIGNEE",
    "NO_PASSWORD",
    "OPEN_STATUSES",
    "ORIGINAL_TABLES",
    "PRIORITIES",
    "PRIORITY_RANK",
    "ROLES",
    "STAT_TYPES",
    "ApiIdempotencyKey",
    "ApiToken",
    "Appointment",
    "AppointmentModification",
    "AppointmentModificationStat",
    "AppointmentModificationStatTotal",
    "AuditEvent",
    "Branch",
    "CallbackClosedCount",
    "CallbackClosedTotal",
    "CallbackEscalation",
    "CallbackPhoneLock",
    "CallbackRequest",
    "Company",
    "Customer",
    "Delivery",
    "DeliveryAttempt",
    "ModificationTotal",
    "NotificationConfiguration",
    "NotificationEventMapping",
    "PasswordLink",
    "PolicyConfiguration",
    "RecoveryCode",
    "SecurityEvent",
    "Service",
    "Staff",
    "User",
    "UserSession",
    "branch_services",
    "staff_services",
    "utcnow",
]

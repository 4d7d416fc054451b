"""The API's examples, in the order an integration meets them: the README and the reference page
show them as curl commands, and tests/api/test_examples.py runs each of them against the app."""

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Example:
    title: str
    method: str
    path: str
    body: dict | None = None
    headers: dict = field(default_factory=dict)


EXAMPLES = (
    Example(
        "Sync a branch", "PUT", "/api/v1/sync/branches/mitte", {"name": "Berlin Mitte", "city": "Berlin"}
    ),
    Example(
        "Sync a service and the branches offering it",
        "PUT",
        "/api/v1/sync/services/cut",
        {"name": "Haircut", "price": "35.00", "duration_minutes": 45, "branches": ["mitte"]},
    ),
    Example(
        "Sync a staff member",
        "PUT",
        "/api/v1/sync/staff/ben",
        {"name": "Ben Schmidt", "branch": "mitte", "services": ["cut"]},
    ),
    Example(
        "Sync a customer",
        "PUT",
        "/api/v1/sync/customers/c-1001",
        {
            "name": "Anna Müller",
            "phone": "0151 23456789",
            "email": "anna@example.com",
            "language": "de",
            "consents": {"email": True, "sms": True},
        },
    ),
    Example(
        "Sync an appointment",
        "PUT",
        "/api/v1/sync/appointments/a-5001",
        {
            "branch": "mitte",
            "service": "cut",
            "staff": "ben",
            "customer": "c-1001",
            "starts_at": "2030-03-15T10:00:00+01:00",
            "ends_at": "2030-03-15T10:45:00+01:00",
            "price": "35.00",
            "status": "scheduled",
        },
    ),
    Example(
        "Sync several records at once (all or nothing)",
        "POST",
        "/api/v1/sync/batch",
        {
            "records": [
                {
                    "type": "customer",
                    "external_id": "c-1002",
                    "data": {"name": "Jonas Weber", "phone": "+49 30 1234567"},
                },
                {
                    "type": "appointment",
                    "external_id": "a-5002",
                    "data": {
                        "branch": "mitte",
                        "service": "cut",
                        "customer": "c-1002",
                        "starts_at": "2030-03-16T09:00:00+01:00",
                        "ends_at": "2030-03-16T09:45:00+01:00",
                    },
                },
            ]
        },
    ),
    Example(
        "The effective cancellation policy of a path, with provenance",
        "GET",
        "/api/v1/policies/cancellation?branch=mitte&service=cut&staff=ben",
    ),
    Example(
        "May the customer cancel?", "POST", "/api/v1/appointments/a-5001/decisions", {"action": "cancel"}
    ),
    Example(
        "Reschedule it (a retry with the same key records nothing twice)",
        "POST",
        "/api/v1/appointments/a-5001/modifications",
        {"action": "reschedule", "new_starts_at": "2030-03-22T10:00:00+01:00"},
        {"Idempotency-Key": "7f3c1e9a-reschedule-a-5001"},
    ),
    Example(
        "The delivery plan of the 24-hour reminder at a branch",
        "GET",
        "/api/v1/notifications/reminder_24h?branch=mitte",
    ),
    Example(
        "A callback request from the voice agent",
        "POST",
        "/api/v1/callbacks",
        {
            "customer_name": "Anna Müller",
            "phone_number": "0151 23456789",
            "branch_id": 1,
            "priority": "high",
            "notes": "Wants to move Friday",
        },
    ),
    Example("Has anyone called me back?", "GET", "/api/v1/callbacks/1"),
)


def curl(example: Example, base: str = "https://portal.example", token: str = "cbt_…") -> str:
    """The example as the curl command the README and the reference page show."""
    lines = [f"curl -X {example.method} '{base}{example.path}'", f'  -H "Authorization: Bearer {token}"']
    lines += [f'  -H "{name}: {value}"' for name, value in example.headers.items()]
    if example.body is not None:
        lines.append('  -H "Content-Type: application/json"')
        lines.append(f"  -d '{json.dumps(example.body, ensure_ascii=False)}'")
    return " \\\n".join(lines)

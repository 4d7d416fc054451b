"""Demo callbacks, policy rows and users (the part of the demo seed beyond the hierarchy)."""
from datetime import timedelta

from ..domain.policy_schema import validate_config
from ..extensions import db
from ..models import CallbackEscalation, CallbackRequest, PolicyConfiguration, User

DEMO_PASSWORD = "demo-password"
CALLBACK_STATES = (
    # (status, priority, minutes since created, sla minutes, attempts)
    ("pending", "urgent", 10, 60, 0), ("pending", "high", 30, 240, 0),
    ("pending", "normal", 90, 1440, 0), ("pending", "urgent", 95, 60, 0),
    ("pending", "normal", 1500, 1440, 0), ("assigned", "high", 200, 240, 1),
    ("assigned", "normal", 60, 1440, 0), ("assigned", "urgent", 50, 60, 2),
    ("contacted", "normal", 300, 1440, 1), ("completed", "high", 2000, 240, 1),
    ("completed", "normal", 3000, 1440, 2), ("cancelled", "normal", 4000, 1440, 0),
    ("expired", "high", 9000, 240, 3),
)


def seed_callbacks(company, branches, services, staff, customers, now):
    for index, (status, priority, age, sla, attempts) in enumerate(CALLBACK_STATES):
        branch = branches[index % len(branches)]
        customer = customers[index]
        created = now - timedelta(minutes=age)
        assignee = next(s for s in staff if s.branch_id == branch.id) if status != "pending" else None
        callback = CallbackRequest(
            company_id=company.id, customer_id=customer.id, branch_id=branch.id,
            service_id=services[index % len(services)].id, phone_number=customer.phone,
            customer_name=customer.name, customer_email=customer.email, priority=priority,
            status=status, assigned_to=assignee.id if assignee else None,
            assigned_at=created + timedelta(minutes=5) if assignee else None,
            contacted_at=created + timedelta(minutes=20) if status in ("contacted", "completed") else None,
            completed_at=created + timedelta(minutes=40) if status == "completed" else None,
            expires_at=created + timedelta(minutes=sla), contact_attempts=attempts,
            notes="Asked about moving an appointment." if index % 2 else "Question about prices.",
            created_at=created, updated_at=created,
        )
        db.session.add(callback)
        if index == 3:  # an overdue urgent request that an agent escalated
            db.session.flush()
            db.session.add(CallbackEscalation(
                company_id=company.id, callback_request_id=callback.id,
                escalation_reason="manual_escalation", escalated_at=created + timedelta(minutes=70),
                meta={"note": "Customer called twice; needs a manager."},
            ))


def seed_policies(company, branches, services, staff):
    rows = [
        ("company", company.id, "cancellation",
         {"hours_before": 24, "fee": "15.00", "max_cancellations_per_month": 3, "require_reason": True}),
        ("company", company.id, "reschedule",
         {"hours_before": 12, "max_reschedules_per_appointment": 2, "max_reschedules_per_month": 4}),
        ("company", company.id, "callback", {"sla_minutes_normal": 1440, "max_contact_attempts": 3}),
        ("branch", branches[0].id, "cancellation", {"hours_before": 48}),
        ("branch", branches[1].id, "callback", {"sla_minutes_urgent": 30}),
        ("service", services[1].id, "cancellation",
         {"fee_percentage": 50, "fee_tiers": [{"min_hours": 48, "fee": "0.00"},
                                              {"min_hours": 24, "fee_percentage": 25}]}),
        ("staff", staff[0].id, "cancellation", {"max_cancellations_per_month": "unlimited"}),
        ("company", company.id, "recurring", {"allow_partial_cancel": True, "full_series_hours_before": 72}),
    ]
    for level, entity_id, policy_type, raw in rows:
        config, errors = validate_config(policy_type, raw)
        assert not errors, errors  # the demo data must satisfy the schema it demonstrates
        db.session.add(PolicyConfiguration(
            company_id=company.id, configurable_type=level, configurable_id=entity_id,
            policy_type=policy_type, config=config, is_override=level != "company",
        ))


def seed_users(company, manager_branch, agent_staff):
    people = (
        ("admin@demo.test", "Ada Admin", "admin", None, None),
        ("manager@demo.test", "Max Manager", "branch_manager", manager_branch.id, None),
        ("agent@demo.test", "Alex Agent", "agent", None, agent_staff.id),
    )
    for email, name, role, branch_id, staff_id in people:
        user = User(company_id=company.id, email=email, name=name, role=role,
                    branch_id=branch_id, staff_id=staff_id)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)

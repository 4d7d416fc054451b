"""Demo callbacks, policy rows and users (the part of the demo seed beyond the hierarchy)."""
from datetime import timedelta

from portal.domain.callbacks import CallbackPolicy, sla_deadline
from portal.domain.policies import LevelRow, effective_values, resolve
from portal.domain.policy_schema import validate_config
from portal.extensions import db
from portal.models import AuditEvent, CallbackEscalation, CallbackRequest, PolicyConfiguration
from portal.services.organisation.users import create_user

DEMO_PASSWORD = "demo-password"
CALLBACK_STATES = (
    # (status, priority, minutes since created, failed attempts); deadlines come from the policy
    ("pending", "urgent", 10, 0), ("pending", "high", 30, 0),
    ("pending", "normal", 90, 0), ("pending", "urgent", 95, 0),
    ("pending", "normal", 1500, 0), ("assigned", "high", 200, 1),
    ("assigned", "normal", 60, 0), ("assigned", "urgent", 50, 2),
    ("contacted", "normal", 300, 1), ("completed", "high", 2000, 1),
    ("completed", "normal", 3000, 2), ("cancelled", "normal", 4000, 0),
    ("expired", "high", 9000, 3),
)
SOURCES = ("API token “Website”", "agent form")


def _demo_callback_policy(company, branches, services, staff, branch, service) -> CallbackPolicy:
    """The effective callback policy of a path, from the rows seed_policies writes."""
    path = {("company", company.id), ("branch", branch.id), ("service", service.id)}
    rows = [LevelRow(level, ident, None, validate_config(kind, raw)[0])
            for level, ident, kind, raw in policy_rows(company, branches, services, staff)
            if kind == "callback" and (level, ident) in path]
    return CallbackPolicy.from_config(effective_values(resolve("callback", rows)))


def seed_callbacks(company, branches, services, staff, customers, now):
    for index, (status, priority, age, attempts) in enumerate(CALLBACK_STATES):
        branch, service = branches[index % len(branches)], services[index % len(services)]
        customer = customers[index]
        created = now - timedelta(minutes=age)
        assignee = next(s for s in staff if s.branch_id == branch.id) if status != "pending" else None
        policy = _demo_callback_policy(company, branches, services, staff, branch, service)
        callback = CallbackRequest(
            company_id=company.id, customer_id=customer.id, branch_id=branch.id,
            service_id=service.id, phone_number=customer.phone,
            customer_name=customer.name, customer_email=customer.email, priority=priority,
            status=status, assigned_to=assignee.id if assignee else None,
            assigned_at=created + timedelta(minutes=5) if assignee else None,
            contacted_at=created + timedelta(minutes=20) if status in ("contacted", "completed") else None,
            completed_at=created + timedelta(minutes=40) if status == "completed" else None,
            expires_at=sla_deadline(created, priority, policy), contact_attempts=attempts,
            notes="Asked about moving an appointment." if index % 2 else "Question about prices.",
            meta={"source": SOURCES[index % 2]}, created_at=created, updated_at=created,
        )
        db.session.add(callback)
        db.session.flush()
        _seed_timeline(callback, assignee, SOURCES[index % 2])
        if index == 3:  # an overdue urgent request that an agent escalated
            _seed_escalation(callback, created + timedelta(minutes=70))


def _seed_escalation(callback, when) -> None:
    note = "Customer called twice; needs a manager."
    db.session.add(CallbackEscalation(
        company_id=callback.company_id, callback_request_id=callback.id,
        escalation_reason="manual_escalation", escalated_at=when, meta={"note": note},
    ))
    _event(callback, "escalate", when, "Alex Agent", {"reason": "manual_escalation", "note": note})


def _event(callback, action, when, who, after, before=None):
    db.session.add(AuditEvent(company_id=callback.company_id, actor_label=who, action=action,
                              entity_type="callback", entity_id=callback.id, before=before or {},
                              after=after, created_at=when))


def _seed_timeline(callback, assignee, source) -> None:
    """Audit events matching the callback's state, so its timeline tells how it got there."""
    created = callback.created_at
    _event(callback, "create", created, source, {"priority": callback.priority, "source": source})
    if assignee is not None:
        _event(callback, "claim", created + timedelta(minutes=5), assignee.name,
               {"status": "assigned", "assignee": assignee.name})
    for number in range(1, callback.contact_attempts + 1):
        _event(callback, "attempt", created + timedelta(minutes=5 + 4 * number), assignee.name,
               {"attempts": number, "note": "No answer."})
    steps = {"contacted": ("contacted",), "completed": ("contacted", "complete"), "cancelled": ("cancel",),
             "expired": ("expire",)}
    for minutes, action in zip((20, 40), steps.get(callback.status, ()), strict=False):
        who = "Sweep (automatic)" if action == "expire" else (assignee.name if assignee else source)
        after = {"reason": "Customer booked online instead."} if action == "cancel" else {}
        when = created + timedelta(minutes=minutes)
        if action == "expire":  # a day past the deadline, as a sweep with expire_after_hours 24 would
            when = callback.expires_at + timedelta(hours=24)
        _event(callback, action, when, who, after)


def policy_rows(company, branches, services, staff) -> list:
    """(level, entity id, policy type, raw config) of the demo's policy rows."""
    return [
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


def seed_policies(company, branches, services, staff):
    for level, entity_id, policy_type, raw in policy_rows(company, branches, services, staff):
        config, errors = validate_config(policy_type, raw)
        assert not errors, errors  # the demo data must satisfy the schema it demonstrates
        db.session.add(PolicyConfiguration(
            company_id=company.id, configurable_type=level, configurable_id=entity_id,
            policy_type=policy_type, config=config, is_override=level != "company",
        ))


def seed_users(company, admin, manager_branch, agent_staff, now):
    """The manager of the first branch and the agent, linked to the support team's staff record
    (the admin came with the company); the same service as the Users page."""
    people = (
        ("manager@demo.test", "Max Manager", "branch_manager", manager_branch.id, None),
        ("agent@demo.test", "Alex Agent", "agent", None, agent_staff.id),
    )
    for email, name, role, branch_id, staff_id in people:
        outcome = create_user(admin, company.id, {"email": email, "name": name, "role": role,
                                                  "branch_id": branch_id, "staff_id": staff_id},
                              now, password=DEMO_PASSWORD, commit=False)
        assert outcome.ok, outcome.errors

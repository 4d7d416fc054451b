"""Past cancellations and reschedules of the demo company, decided by the real engine.

Deterministic and idempotent: the same appointments are picked every time (by id order), each
modification is decided by `decide` at the moment it was made, with the counts of the records
made before it, so within/out of policy and fees are exactly what the rules said. Denied ones
were forced by the admin with a reason; a few fees were waived.
"""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.domain.decisions import (
    CANCEL,
    POLICY_TYPE,
    RESCHEDULE,
    ModificationRequest,
    Occurrence,
    decide,
    rolling_window,
)
from portal.extensions import db
from portal.models import Appointment, AppointmentModification, User
from portal.services.modifications.change import Change, record_metadata
from portal.services.modifications.policy import CompanyRows, Proposal, appointment_path
from portal.services.scope import Scope

# (hours of notice, kind) per picked appointment: the first four are one customer's cancellations
# in good time (the fourth meets the monthly limit), then a mix in and out of policy.
PLAN = ((72, CANCEL), (96, CANCEL), (60, CANCEL), (80, CANCEL), (30, RESCHEDULE), (5, CANCEL),
        (50, CANCEL), (2, RESCHEDULE), (100, CANCEL), (20, CANCEL), (8, RESCHEDULE), (36, CANCEL),
        (60, RESCHEDULE), (3, CANCEL))
FORCE_REASONS = ("Customer was in hospital", "Staff illness on our side", "Goodwill: long-standing customer")
REASONS = ("Customer asked by phone", "Travelling that week", "Feeling unwell")  # the demo rules require one
MOVED_BY = timedelta(days=2)


def _picked(company_id: int, now: datetime) -> list[Appointment]:
    """Past appointments, the first ones of the customer with the most visits first (so the
    demo shows a customer reaching the monthly limit), the rest spread over the list."""
    past = list(db.session.scalars(select(Appointment).where(
        *Scope.company(company_id).where(Appointment), Appointment.starts_at < now - timedelta(days=1),
        Appointment.status != "cancelled").order_by(Appointment.id)))
    by_customer: dict[int, list[Appointment]] = {}
    for appointment in past:
        by_customer.setdefault(appointment.customer_id, []).append(appointment)
    regular = max(by_customer.values(), key=len)[:4]
    others = [appointment for appointment in past if appointment not in regular][::7]
    return regular + others[:len(PLAN) - len(regular)]


def _rolling(made: list[AppointmentModification], customer_id: int, kind: str, at: datetime) -> int:
    start, end = rolling_window(at)
    return sum(1 for record in made if record.customer_id == customer_id
               and record.modification_type == kind and start < record.created_at <= end)


def seed_modifications(company, now: datetime) -> int:
    """Add the demo's past modifications once; returns how many were added."""
    if db.session.scalar(select(func.count(AppointmentModification.id))
                         .where(*Scope.company(company.id).where(AppointmentModification))):
        return 0
    users = {user.role: user
             for user in db.session.scalars(select(User).where(*Scope.company(company.id).where(User)))}
    rows = CompanyRows(company.id)
    made: list[AppointmentModification] = []
    planned = sorted(zip(_picked(company.id, now), PLAN, strict=False),
                     key=lambda pair: pair[0].starts_at - timedelta(hours=pair[1][0]))  # as they happened
    for index, (appointment, (hours, kind)) in enumerate(planned):
        made.append(_modify(appointment, kind, hours, index, rows, made, users))
    db.session.flush()
    return len(made)


def _decided(appointment: Appointment, kind: str, hours: int, rows: CompanyRows, made: list):
    """(the appointment's time then, when it was asked, the engine's decision at that moment)."""
    original = appointment.starts_at - (MOVED_BY if kind == RESCHEDULE else timedelta(0))
    at = original - timedelta(hours=hours)
    request = ModificationRequest(kind, Occurrence(original, appointment.price),
                                  _rolling(made, appointment.customer_id, kind, at))
    return original, at, decide(request, at, rows.policy(POLICY_TYPE[kind], appointment_path(appointment)))


def _modify(appointment: Appointment, kind: str, hours: int, index: int, rows: CompanyRows,
            made: list, users: dict) -> AppointmentModification:
    original, at, decision = _decided(appointment, kind, hours, rows, made)
    forced, waived = not decision.allowed, decision.fee > 0 and index % 4 == 1
    reason = (FORCE_REASONS if forced else REASONS)[index % 3]
    change = Change(kind, reason=reason, force=forced, waive_fee=waived,
                    waiver_reason="First late cancellation, as a courtesy" if waived else "")
    proposal = Proposal(appointment, decision, {}, (), appointment.starts_at if kind == RESCHEDULE else None)
    manager = users["branch_manager"]
    actor = manager if appointment.branch_id == manager.branch_id and not forced else users["admin"]
    if kind == CANCEL:
        appointment.status = "cancelled"
    record = AppointmentModification(
        company_id=appointment.company_id, appointment_id=appointment.id,
        customer_id=appointment.customer_id, modification_type=kind, within_policy=decision.allowed,
        fee_charged=0 if waived else decision.fee, reason=reason, modified_by_type="user",
        modified_by_id=actor.id, created_at=at, updated_at=at,
        meta=record_metadata(proposal, change, original, decision.fee, waived, at))
    db.session.add(record)
    return record

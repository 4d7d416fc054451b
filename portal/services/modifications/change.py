"""Cancelling and rescheduling appointments: decide, check what the person sent, write it all or
nothing.

The appointment change and its appointment_modifications row are one transaction: each change is
a conditional UPDATE on the state the decision saw (status scheduled, same start), so a second
person acting at the same time changes nothing and is told; any failure rolls both back.
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, update

from portal.domain.clock import whole_seconds
from portal.domain.decisions import CANCEL, RESCHEDULE, notice_hours
from portal.domain.messages import message_data
from portal.domain.parsing import InputError, add_duration
from portal.extensions import db
from portal.models import Appointment, AppointmentModification, User
from portal.services.delivery import events as notify
from portal.services.modifications.policy import Proposal, propose
from portal.services.scope import Scope
from portal.translations.labels import label
from portal.translations.runtime import translated

FORCING_ROLES = ("admin", "branch_manager")
REASON_MAX = 2000


@dataclass(frozen=True)
class Change:
    """What the person confirmed on the preview page."""

    action: str
    whole_series: bool = False
    new_starts_at: datetime | None = None  # naive UTC
    reason: str = ""
    force: bool = False
    waive_fee: bool = False
    waiver_reason: str = ""
    # The preview's Proposal.fingerprint; None for a caller that never previews (the API): the
    # decision made now is the one applied, and the caller is told it in the answer.
    seen: str | None = ""


@dataclass(frozen=True)
class Actor:
    """Who records a modification: a signed-in person, or an API token (kind "api_token")."""

    kind: str  # modified_by_type: user | api_token
    id: int
    may_force: bool
    refused_force: str = "Only a manager or an admin can override the rules."

    @classmethod
    def of(cls, who: "User | Actor") -> "Actor":
        if isinstance(who, Actor):
            return who
        refused = _("Only a manager or an admin can override the rules.")
        return cls("user", who.id, who.role in FORCING_ROLES, refused)


class ModificationRefused(Exception):
    """Nothing was written; `message` and `errors` (by form field) say why."""

    def __init__(self, message: str, errors: dict | None = None, status: int = 400,
                 proposal: Proposal | None = None):
        super().__init__(message)
        self.message, self.errors, self.status, self.proposal = message, errors or {}, status, proposal


@dataclass
class Problems:
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


def check_new_time(appointment: Appointment, new_starts_at: datetime | None, now: datetime) -> str | None:
    """Why a reschedule target is refused, or None."""
    if new_starts_at is None:
        return _("Enter the new date and time.")
    if new_starts_at <= now:
        return _("The new time is in the past; pick a time in the future.")
    if new_starts_at == appointment.starts_at:
        return _("That is the appointment's current time; pick a different one.")
    try:
        add_duration(new_starts_at, appointment.ends_at - appointment.starts_at)
    except InputError as problem:
        return _("At that time the appointment %(problem)s; pick an earlier time.",
                 problem=translated(problem.message))
    return None


def _check_change(proposal: Proposal, change: Change) -> Problems:
    problems, decision = Problems(), proposal.decision
    reason, waiver_reason = change.reason.strip(), change.waiver_reason.strip()
    if len(reason) > REASON_MAX or len(waiver_reason) > REASON_MAX:
        problems.add("reason", _("Keep reasons under %(max)s characters.", max=REASON_MAX))
    if proposal.require_reason and not reason:
        source = proposal.policy["require_reason"].source.label
        problems.add("reason", _("The rules ask for a reason (%(source)s).", source=translated(source)))
    if not decision.allowed and not change.force:
        problems.add("force", _("The rules deny this: %(reasons)s. A manager or admin can override them with "
                                "a reason.",
                                reasons="; ".join(translated(reason) for reason in decision.reasons)))
    if not decision.allowed and change.force and not reason:
        problems.add("reason", _("Give a reason for overriding the rules."))
    if change.waive_fee and decision.fee > 0 and not waiver_reason:
        problems.add("waiver_reason", _("Give a reason for waiving the fee."))
    return problems


def modify_appointment(user: User | Actor, appointment: Appointment, change: Change,
                       now: datetime) -> list[AppointmentModification]:
    """Decide again at `now`, check `change`, then write the change and its record(s) at once.

    Raises ModificationRefused (nothing written) for a refused change, a decision that is no
    longer the one previewed (409), or an appointment someone else changed first (409).
    """
    now, actor = whole_seconds(now), Actor.of(user)
    if change.force and not actor.may_force:
        raise ModificationRefused(actor.refused_force, status=403)
    if appointment.status != "scheduled":
        raise ModificationRefused(_("This appointment is %(status)s; only scheduled appointments can be "
                                    "cancelled or rescheduled.", status=label("status",
                                                                              appointment.status).lower()),
                                  status=409)
    if change.action == RESCHEDULE:
        problem = check_new_time(appointment, change.new_starts_at, now)
        if problem:
            raise ModificationRefused(problem, {"new_starts_at": problem})
    proposal = propose(appointment, change.action, now, change.whole_series,
                       whole_seconds(change.new_starts_at) if change.new_starts_at else None)
    if change.seen is not None and change.seen != proposal.fingerprint:
        raise ModificationRefused(_("The decision changed since your preview; review it and confirm again."),
                                  status=409, proposal=proposal)
    problems = _check_change(proposal, change)
    if problems.errors:
        raise ModificationRefused(_("Nothing was changed: %(problems)s",
                                    problems=" ".join(problems.errors.values())),
                                  problems.errors, proposal=proposal)
    return _write(actor, proposal, change, now)


def _write(user: Actor, proposal: Proposal, change: Change, now: datetime) -> list[AppointmentModification]:
    try:
        records = []
        for appointment, fee in zip(proposal.targets, proposal.decision.fee_parts, strict=True):
            original = appointment.starts_at
            _change_appointment(appointment, proposal, change, now)
            records.append(_record(user, proposal, change, appointment, original, fee, now))
        notify.appointment_changed(change.action, list(proposal.targets), records, change.reason.strip(), now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return records


def _change_appointment(appointment: Appointment, proposal: Proposal, change: Change, now: datetime) -> None:
    """A conditional UPDATE on what the decision saw; anyone quicker makes it match nothing."""
    values: dict[str, object]
    if change.action == CANCEL:
        values = {"status": "cancelled"}
    else:
        new_start = proposal.new_starts_at
        assert new_start is not None  # a reschedule is proposed with its new start
        length = appointment.ends_at - appointment.starts_at
        values = {"starts_at": new_start, "ends_at": new_start + length}
    result = cast(CursorResult, db.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment.id, *Scope.company(appointment.company_id).where(Appointment),
               Appointment.status == "scheduled", Appointment.starts_at == appointment.starts_at)
        .values(updated_at=now, **values).execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        raise ModificationRefused(_("Someone else changed this appointment first; nothing was changed. "
                                    "Reload it to see its current state."), status=409)


def _record(user: Actor, proposal: Proposal, change: Change, appointment: Appointment,
            original: datetime, fee: Decimal, now: datetime) -> AppointmentModification:
    """The append-only record of one appointment's change (added to the same transaction)."""
    decision = proposal.decision
    waived = change.waive_fee and fee > 0
    record = AppointmentModification(
        company_id=appointment.company_id, appointment_id=appointment.id,
        customer_id=appointment.customer_id, modification_type=change.action,
        within_policy=decision.allowed, fee_charged=0 if waived else fee,
        reason=change.reason.strip() or None, modified_by_type=user.kind, modified_by_id=user.id,
        created_at=now, updated_at=now, meta=record_metadata(proposal, change, original, fee, waived, now))
    db.session.add(record)
    db.session.flush()
    return record


def record_metadata(proposal: Proposal, change: Change, original: datetime, fee, waived: bool,
                    now: datetime) -> dict:
    """What a modification record keeps of its decision (also used by the demo data)."""
    decision = proposal.decision
    meta = {
        "hours_notice": float(notice_hours(original - now)),
        "policy_required": decision.hours_required,
        "original_time": original.isoformat(),
        "new_time": proposal.new_starts_at.isoformat() if proposal.new_starts_at else None,
        "policy": decision.provenance(),
        # The texts in English, and as message data so that each reader sees them in their language.
        "checks": [{"rule": check.key, "passed": check.passed, "text": check.text,
                    "message": message_data(check.text)} for check in decision.checks],
        "fee_rule": decision.fee_rule, "fee_rule_message": message_data(decision.fee_rule),
        "fee_computed": str(fee),
        "forced": not decision.allowed, "rolling_count": decision.rolling_count,
    }
    if waived:
        meta.update(fee_waived=True, fee_waiver_reason=change.waiver_reason.strip())
    if proposal.appointment.recurring_series_id and change.action == CANCEL:
        meta["series"] = {"id": proposal.appointment.recurring_series_id, "scope": decision.scope,
                          "first_appointment_id": proposal.appointment.id}
    return meta

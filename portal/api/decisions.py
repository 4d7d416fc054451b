"""Decisions and modifications (scope decisions:write) of an appointment named by external id.

The same engine as the pages and the simulator (portal.services.modifications): a decision is
made at the moment of the request, a modification recomputes it (a client's "within policy" is
never trusted) and writes the appointment change and its record in one transaction. A denied
one is recorded only for a token with decisions:force and a reason.
"""

from functools import cache

from flask import request
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from portal.api.framework import authorized, bp, current_token
from portal.api.schemas import ActionSchema, DecisionSchema, ModificationInSchema, ModificationResultSchema
from portal.domain.api_scopes import DECISIONS_FORCE, DECISIONS_WRITE
from portal.domain.clock import whole_seconds
from portal.domain.decisions import RESCHEDULE, Decision, rolling_window
from portal.extensions import db
from portal.models import Appointment, Branch, Company, Service, Staff, utcnow
from portal.services.integration import idempotency
from portal.services.modifications.change import (
    Actor,
    Change,
    ModificationRefused,
    check_new_time,
    modify_appointment,
)
from portal.services.modifications.policy import CachedPathRows, Counts, count_columns, propose
from portal.services.scope import Scope
from portal.services.sync.references import naive_utc
from portal.web.errors import ApiProblem

IDEMPOTENCY_HEADER = {
    "Idempotency-Key": {
        "description": "Any unique text (≤ 255): a retry with it records nothing twice",
        "schema": {"type": "string", "maxLength": 255},
    }
}


# The path's entities come with the appointment, only what a decision reads of them (anything
# else a modification reads of them loads when it is read).
PATH_ENTITIES = (
    joinedload(Appointment.company).load_only(Company.name, Company.timezone, Company.config_generation),
    joinedload(Appointment.branch).load_only(Branch.name, Branch.timezone),
    joinedload(Appointment.service).load_only(Service.name),
    joinedload(Appointment.staff).load_only(Staff.name),
)


@cache
def _by_external_id() -> Select:
    """The company's appointment with this external id, with the entities of its path (the
    decision needs their names): built once per process (building it cost more than running it),
    run with the company and the external id as parameters."""
    return (
        Scope.company_at_run("company_id")
        .select(Appointment)
        .where(Appointment.external_id == bindparam("external_id"))
        .options(*PATH_ENTITIES)
        .limit(1)
    )


@cache
def _to_decide() -> Select:
    """The same with the customer's two counts for an action and window given as parameters."""
    counted = count_columns(
        bindparam("company_id"), Appointment.customer_id, bindparam("action"), Appointment.id,
        (bindparam("start"), bindparam("end")),
    )
    return _by_external_id().add_columns(*counted)


def _parameters(external_id: str, **more) -> dict:
    return {"company_id": current_token().company_id, "external_id": external_id, **more}


def _not_found() -> ApiProblem:
    return ApiProblem(404, "There is no appointment with this external id.", "not-found")


def appointment_of(external_id: str) -> Appointment:
    appointment = db.session.scalar(_by_external_id(), _parameters(external_id))
    if appointment is None:
        raise _not_found()
    return appointment


def appointment_with_counts(external_id: str, action: str, now) -> tuple[Appointment, Counts]:
    """The appointment and its customer's counts for `action`, in one statement."""
    start, end = rolling_window(now)
    parameters = _parameters(external_id, action=action, start=start, end=end)
    row = db.session.execute(_to_decide(), parameters).first()
    if row is None:
        raise _not_found()
    return row[0], Counts(int(row[1] or 0), int(row[2] or 0))


def decision_body(decision: Decision, appointments: int) -> dict:
    return {
        "action": decision.action,
        "scope": decision.scope,
        "allowed": decision.allowed,
        "reasons": list(decision.reasons),
        "hours_notice": decision.hours_notice,
        "hours_required": decision.hours_required,
        "fee": decision.fee,
        "fee_rule": decision.fee_rule,
        "rolling_count": decision.rolling_count,
        "checks": [
            {"rule": check.key, "passed": check.passed, "text": check.text} for check in decision.checks
        ],
        "rules": [
            {
                "policy_type": rule.policy_type,
                "key": rule.key,
                "label": rule.label,
                "value": rule.value,
                "shown": rule.shown,
                "source": rule.source,
                "level": rule.level,
            }
            for rule in decision.rules
        ],
        "appointments": appointments,
    }


def new_start(appointment: Appointment, args: dict, now):
    """The reschedule target as naive UTC (422 when missing or unusable), None for a cancel."""
    if args["action"] != RESCHEDULE:
        return None
    target = naive_utc(args["new_starts_at"]) if args.get("new_starts_at") else None
    problem = check_new_time(appointment, target, now)
    if problem:
        raise ApiProblem(422, problem, "invalid-fields", {"new_starts_at": problem})
    return target


@bp.post("/appointments/<external_id>/decisions", tags=["Decisions and modifications"])
@authorized(DECISIONS_WRITE)
@bp.arguments(ActionSchema)
@bp.response(200, DecisionSchema)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def decide(args, external_id: str):
    """Would cancelling or rescheduling be allowed now? The reasons, notice, fee and rules used."""
    now = utcnow()
    appointment, counts = appointment_with_counts(external_id, args["action"], now)
    if appointment.status != "scheduled":
        raise ApiProblem(
            409,
            f"This appointment is {appointment.status.replace('_', ' ')}; only scheduled "
            "appointments can be cancelled or rescheduled.",
            "conflict",
        )
    proposal = propose(
        appointment,
        args["action"],
        now,
        args["whole_series"],
        new_start(appointment, args, now),
        rows=CachedPathRows(appointment.company),
        counts=counts,
    )
    return decision_body(proposal.decision, len(proposal.targets))


@bp.post("/appointments/<external_id>/modifications", tags=["Decisions and modifications"])
@authorized(DECISIONS_WRITE)
@bp.doc(parameters=[{"in": "header", "name": name, **spec} for name, spec in IDEMPOTENCY_HEADER.items()])
@bp.arguments(ModificationInSchema)
@bp.response(
    201,
    ModificationResultSchema,
    description="Recorded (a retry with the same Idempotency-Key: the same answer)",
)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def modify(args, external_id: str):
    """Cancel or reschedule now under the rules (forced only with decisions:force and a reason)."""
    token, key = current_token(), (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > idempotency.KEY_MAX:
        raise ApiProblem(
            422,
            f"The Idempotency-Key is too long: at most {idempotency.KEY_MAX} characters.",
            "invalid-fields",
            {"Idempotency-Key": "Too long."},
        )
    if not key:
        return _modify(args, external_id)
    claim = idempotency.claim_key(token, key, idempotency.request_hash("POST", request.path, args), utcnow())
    if claim.problem == "mismatch":
        raise ApiProblem(
            422,
            "This Idempotency-Key was used with a different request; use a new key.",
            "idempotency-mismatch",
            {"Idempotency-Key": "Used with a different request."},
        )
    if claim.problem:
        raise ApiProblem(
            409,
            "A request with this Idempotency-Key is still in progress; retry in a moment.",
            "idempotency-in-progress",
        )
    if claim.body is not None:
        return claim.body, claim.status
    try:
        body, status = _modify(args, external_id)
    except BaseException:
        idempotency.release_key(claim)
        raise
    idempotency.remember_answer(claim, status, ModificationResultSchema().dump(body))
    return body, status


def _modify(args: dict, external_id: str):
    token, now = current_token(), utcnow()
    appointment = appointment_of(external_id)
    actor = Actor(
        "api_token",
        token.id,
        DECISIONS_FORCE in token.scope_set,
        f"This token may not override the rules: it lacks the scope “{DECISIONS_FORCE}”.",
    )
    target = None
    if args["action"] == RESCHEDULE and args.get("new_starts_at"):
        target = naive_utc(args["new_starts_at"])
    change = Change(
        args["action"],
        args["whole_series"],
        target,
        args["reason"],
        args["force"],
        args["waive_fee"],
        args["waiver_reason"],
        seen=None,
    )
    # What the engine decides now, for the answer (modify_appointment decides the same again at
    # the same moment, inside its transaction, and applies that).
    before = (
        propose(
            appointment,
            args["action"],
            whole_seconds(now),
            args["whole_series"],
            whole_seconds(target) if target else None,
        )
        if appointment.status == "scheduled"
        else None
    )
    try:
        records = modify_appointment(actor, appointment, change, now)
    except ModificationRefused as refused:
        raise _problem(refused) from None
    assert before is not None  # a modification was recorded, so the appointment was scheduled
    external = dict(
        db.session.execute(
            select(Appointment.id, Appointment.external_id).where(
                Appointment.id.in_([record.appointment_id for record in records])
            )
        ).all()
    )
    return {
        "decision": decision_body(before.decision, len(records)),
        "modifications": [
            {
                "id": record.id,
                "appointment": external.get(record.appointment_id),
                "modification_type": record.modification_type,
                "within_policy": record.within_policy,
                "fee_charged": record.fee_charged,
            }
            for record in records
        ],
    }, 201


def _problem(refused: ModificationRefused) -> ApiProblem:
    extra = (
        {
            "decision": DecisionSchema().dump(
                decision_body(refused.proposal.decision, len(refused.proposal.targets))
            )
        }
        if refused.proposal
        else {}
    )
    if refused.status == 403:
        return ApiProblem(
            403, refused.message, "missing-scope", extra={"missing_scope": DECISIONS_FORCE, **extra}
        )
    if refused.status == 409:
        return ApiProblem(409, refused.message, "conflict", extra=extra)
    denied = "force" in refused.errors
    return ApiProblem(
        422, refused.message, "denied" if denied else "invalid-fields", refused.errors, extra=extra
    )

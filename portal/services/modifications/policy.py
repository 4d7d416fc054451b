"""The decision for a real appointment (or a simulated one): its path's effective policy and the
customer's exact counts, handed to the one decision engine (portal.domain.decisions.decide).

An appointment's path is company → its branch → its service → its staff member. The rows of a
policy type come from `load_rows` (one query for the whole company), so a decision costs a fixed
number of queries whatever the size of the company or the customer's history. Counts are read
from appointment_modifications at decision time, never from the stats table.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, func, select

from portal.cache import cached, remember_generation
from portal.domain.decisions import (
    CANCEL,
    MONTHLY_KEY,
    POLICY_TYPE,
    RESCHEDULE,
    Decision,
    ModificationRequest,
    Occurrence,
    RuleUsed,
    decide,
    rolling_window,
    rules_used,
)
from portal.domain.policies import LevelRow, Resolved, resolve
from portal.extensions import db
from portal.models import Appointment, AppointmentModification, Company
from portal.services.policies.read import RowInfo, load_rows
from portal.services.scope import Scope

PathNode = tuple[str, int, str | None]  # level, entity id, name


@dataclass(frozen=True)
class Counts:
    rolling: int  # the customer's modifications of the kind in the rolling window
    this_appointment: int  # modifications of the kind of this appointment, ever


@dataclass(frozen=True)
class Proposal:
    """What a cancel or reschedule would do now: the decision and what it applies to."""

    appointment: Appointment
    decision: Decision
    policy: Resolved
    following: tuple[Appointment, ...] = ()  # the rest of the series, when cancelling it whole
    new_starts_at: datetime | None = None

    @property
    def targets(self) -> tuple[Appointment, ...]:
        return (self.appointment, *self.following)

    @property
    def require_reason(self) -> bool:
        effective = self.policy.get("require_reason")
        return bool(effective and effective.value is True)

    @property
    def fingerprint(self) -> str:
        """What the person agreed to in the preview: allowed or not, the fee, how many
        appointments it changes, and the start time it saw (someone may move it meanwhile)."""
        verdict = "allowed" if self.decision.allowed else "denied"
        return f"{verdict}:{self.decision.fee}:{len(self.targets)}:{self.appointment.starts_at:%Y%m%d%H%M%S}"


def appointment_path(appointment: Appointment) -> list[PathNode]:
    """company → branch → service → staff of one appointment (staff only when it has one)."""
    path: list[PathNode] = [("company", appointment.company_id, appointment.company.name),
                            ("branch", appointment.branch_id, appointment.branch.name),
                            ("service", appointment.service_id, appointment.service.name)]
    if appointment.staff_id is not None and appointment.staff is not None:
        path.append(("staff", appointment.staff_id, appointment.staff.name))
    return path


def path_policy(rows: dict[tuple[str, int], RowInfo], policy_type: str, path: list[PathNode]) -> Resolved:
    """The effective values, with provenance, of one path from the company's loaded rows."""
    return resolve(policy_type, [LevelRow(level, ident, name, rows[(level, ident)].config)
                                 for level, ident, name in path if (level, ident) in rows])


def count_columns(company_id: Any, customer_id: Any, action: Any, appointment_id: Any,
                  window: tuple[Any, Any]) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """The two counts of `Counts` as scalar subqueries, each served by its index, for the rolling
    `window` (start, end). The arguments may be values, columns or bound parameters: inside a
    select of appointments they count each row's own customer and appointment (the API reads an
    appointment and its counts in one statement, built once)."""
    start, end = window
    model = AppointmentModification
    of_kind = (*Scope.company(company_id).where(model), model.modification_type == action)
    rolling = select(func.count(model.id)).where(
        *of_kind, model.customer_id == customer_id, model.created_at > start, model.created_at <= end)
    this_appointment = select(func.count(model.id)).where(*of_kind, model.appointment_id == appointment_id)
    return rolling.scalar_subquery(), this_appointment.scalar_subquery()


def modification_counts(company_id: int, customer_id: int, action: str, appointment_id: int | None,
                        now: datetime) -> Counts:
    """The customer's modifications of `action` in the rolling 30 days, and of this appointment
    ever: one query, exact at `now`."""
    rolling, this_appointment = db.session.execute(
        select(*count_columns(company_id, customer_id, action, appointment_id, rolling_window(now)))).one()
    return Counts(int(rolling or 0), int(this_appointment or 0))


def following_in_series(appointment: Appointment) -> tuple[Appointment, ...]:
    """The scheduled appointments of the series after this one, in order."""
    return tuple(db.session.scalars(select(Appointment).where(
        *Scope.company(appointment.company_id).where(Appointment),
        Appointment.recurring_series_id == appointment.recurring_series_id,
        Appointment.starts_at > appointment.starts_at, Appointment.status == "scheduled",
    ).order_by(Appointment.starts_at, Appointment.id)))


class CompanyRows:
    """A company's live policy rows, loaded once per type (one query each) and then reused."""

    def __init__(self, company_id: int):
        self.company_id = company_id
        self._by_type: dict[str, dict[tuple[str, int], RowInfo]] = {}

    def policy(self, policy_type: str, path: list[PathNode]) -> Resolved:
        if policy_type not in self._by_type:
            self._by_type[policy_type] = load_rows(self.company_id, policy_type)
        return path_policy(self._by_type[policy_type], policy_type, path)


class CachedPathRows(CompanyRows):
    """The rows of one path only, read through the configuration cache (the API decides one
    appointment per request: a Redis read instead of a query, retired by any policy change).
    `company` comes with the appointment, so its generation costs no query either."""

    def __init__(self, company: Company):
        super().__init__(company.id)
        remember_generation(company.id, company.config_generation)

    def policy(self, policy_type: str, path: list[PathNode]) -> Resolved:
        nodes = [(level, ident) for level, ident, _ in path]
        name = f"path-rows:{policy_type}:" + "/".join(f"{level}{ident}" for level, ident in nodes)
        rows = cached(self.company_id, name, dict[tuple[str, int], RowInfo],
                      lambda: load_rows(self.company_id, policy_type, nodes))
        return path_policy(rows, policy_type, path)


def propose(appointment: Appointment, action: str, now: datetime, whole_series: bool = False,
            new_starts_at: datetime | None = None, rows: CompanyRows | None = None,
            counts: Counts | None = None) -> Proposal:
    """The decision for cancelling or rescheduling `appointment` at `now` (a fixed number of
    queries: policy rows of the type, the counts, and for a series its rows and members).
    `rows` and `counts` let a page deciding for several appointments load them once."""
    policy_type = POLICY_TYPE[action]
    rows = rows or CompanyRows(appointment.company_id)
    path = appointment_path(appointment)
    policy = rows.policy(policy_type, path)
    in_series = appointment.recurring_series_id is not None and action == CANCEL
    recurring = rows.policy("recurring", path) if in_series else None
    whole_series = whole_series and in_series
    following = following_in_series(appointment) if whole_series else ()
    counts = counts or modification_counts(appointment.company_id, appointment.customer_id, action,
                                           appointment.id, now)
    request = ModificationRequest(
        action, Occurrence(appointment.starts_at, appointment.price), counts.rolling,
        counts.this_appointment, in_series, whole_series,
        tuple(Occurrence(other.starts_at, other.price) for other in following))
    return Proposal(appointment, decide(request, now, policy, recurring), policy, following, new_starts_at)


@dataclass(frozen=True)
class Outlook:
    """A customer's rolling counts against their limits, and their next appointments with what
    cancelling or rescheduling each would do now."""

    rolling: dict[str, int]  # action -> the customer's count in the rolling window
    limits: dict[str, RuleUsed | None]  # action -> the monthly limit that applies, with its source
    rows: list[tuple[Appointment, Decision, Decision]]


def _rolling_by_action(company_id: int, customer_id: int, now: datetime) -> dict[str, int]:
    start, end = rolling_window(now)
    model = AppointmentModification
    counted = dict(db.session.execute(
        select(model.modification_type, func.count(model.id))
        .where(*Scope.company(company_id).where(model), model.customer_id == customer_id,
               model.created_at > start, model.created_at <= end)
        .group_by(model.modification_type)).all())
    return {action: counted.get(action, 0) for action in (CANCEL, RESCHEDULE)}


def _moved_counts(company_id: int, appointment_ids: list[int]) -> dict[int, int]:
    if not appointment_ids:
        return {}
    model = AppointmentModification
    return dict(db.session.execute(
        select(model.appointment_id, func.count(model.id))
        .where(*Scope.company(company_id).where(model), model.modification_type == RESCHEDULE,
               model.appointment_id.in_(appointment_ids))
        .group_by(model.appointment_id)).all())


def customer_outlook(company_id: int, customer_id: int, upcoming: list[Appointment], now: datetime,
                     default_path: list[PathNode]) -> Outlook:
    """Decisions for each upcoming appointment, from a fixed number of queries in all. Limits
    are those of the next appointment's path, or of `default_path` when there is none."""
    rolling = _rolling_by_action(company_id, customer_id, now)
    moved = _moved_counts(company_id, [appointment.id for appointment in upcoming])
    rows, decided = CompanyRows(company_id), []
    for appointment in upcoming:
        cancel = propose(appointment, CANCEL, now, rows=rows, counts=Counts(rolling[CANCEL], 0))
        move = propose(appointment, RESCHEDULE, now, rows=rows,
                       counts=Counts(rolling[RESCHEDULE], moved.get(appointment.id, 0)))
        decided.append((appointment, cancel.decision, move.decision))
    path = appointment_path(upcoming[0]) if upcoming else default_path
    limits = {}
    for action in (CANCEL, RESCHEDULE):
        used = rules_used(POLICY_TYPE[action], rows.policy(POLICY_TYPE[action], path))
        limits[action] = next((rule for rule in used if rule.key == MONTHLY_KEY[action]), None)
    return Outlook(rolling, limits, decided)

"""The policy simulator: the decision the engine would make for an imagined appointment at a
node of the policy tree. It calls the very same `decide` as real cancels and reschedules, with
the node's path resolved from the same rows, and a real customer's exact counts when one is
picked."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from portal.domain.decisions import CANCEL, POLICY_TYPE, Decision, ModificationRequest, Occurrence, decide
from portal.models import Customer
from portal.services.modifications.policy import CompanyRows, PathNode, modification_counts
from portal.services.policies.read import NodeRef, path_labels

SCENARIOS = {
    "cancel": _l("Cancel"),
    "reschedule": _l("Reschedule"),
    "cancel_single_of_series": _l("Cancel one appointment of a recurring series"),
    "cancel_whole_series": _l("Cancel a recurring series from this appointment on"),
}


@dataclass(frozen=True)
class Scenario:
    """What to simulate. `rolling_count` is used when no customer is picked."""

    kind: str
    hours_notice: Decimal
    price: Decimal | None = None
    customer: Customer | None = None
    rolling_count: int = 0
    moved_before: int = 0
    following: int = 3  # later weekly appointments of the series, for a whole-series cancel

    @property
    def action(self) -> str:
        return "reschedule" if self.kind == "reschedule" else CANCEL


@dataclass(frozen=True)
class Simulation:
    node: NodeRef
    path: list[PathNode]
    scenario: Scenario
    decision: Decision
    starts_at: datetime


def node_path(node: NodeRef) -> list[PathNode]:
    """The node's path with names, as the provenance labels need them."""
    return [(level, ident, name) for (level, ident), name in zip(node.path, path_labels(node), strict=True)]


def _request(scenario: Scenario, starts_at: datetime, rolling: int) -> ModificationRequest:
    in_series = scenario.kind in ("cancel_single_of_series", "cancel_whole_series")
    whole = scenario.kind == "cancel_whole_series"
    following = tuple(Occurrence(starts_at + timedelta(weeks=week), scenario.price)
                      for week in range(1, scenario.following + 1)) if whole else ()
    return ModificationRequest(scenario.action, Occurrence(starts_at, scenario.price), rolling,
                               scenario.moved_before, in_series, whole, following)


def simulate(company_id: int, node: NodeRef, scenario: Scenario, now: datetime) -> Simulation:
    """The engine's decision for an appointment `hours_notice` ahead on the node's path."""
    path = node_path(node)
    rows = CompanyRows(company_id)
    policy_type = POLICY_TYPE[scenario.action]
    recurring = rows.policy("recurring", path) if scenario.kind.endswith("series") else None
    rolling = scenario.rolling_count
    if scenario.customer is not None:
        rolling = modification_counts(company_id, scenario.customer.id, scenario.action, None, now).rolling
    starts_at = now + timedelta(seconds=int(scenario.hours_notice * 3600))  # exact: 2 places
    decision = decide(_request(scenario, starts_at, rolling), now, rows.policy(policy_type, path), recurring)
    return Simulation(node, path, scenario, decision, starts_at)

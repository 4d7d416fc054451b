"""A path of the hierarchy named by external ids (company → branch? → service? → staff?), and
the effective policy and notification plan on it — from the same resolvers (and the same cache)
as the policy pages and the notification matrix and plan page."""

from dataclasses import dataclass
from datetime import datetime

from portal.cache import cached
from portal.domain.inheritance import Effective, Source
from portal.domain.notification_plan import delivery_plan
from portal.domain.notifications import CHANNELS
from portal.extensions import db
from portal.models import Branch, Company, Service, Staff
from portal.services.notifications.read import node_matrix
from portal.services.policies.read import NodeRef, resolve_node_in_full
from portal.services.scope import Scope

LEVELS: tuple[tuple[str, type[Branch] | type[Service] | type[Staff]], ...] = (
    ("branch", Branch),
    ("service", Service),
    ("staff", Staff),
)


class UnknownReference(LookupError):
    """External ids the company does not have (another company's are unknown too)."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class ApiPath:
    node: NodeRef
    names: dict[tuple[str, int], str]
    external_ids: dict[tuple[str, int], str | None]

    def describe(self) -> list[dict]:
        return [
            {
                "level": level,
                "name": self.names.get((level, ident)),
                "external_id": self.external_ids.get((level, ident)),
            }
            for level, ident in self.node.path
        ]

    def source(self, source: Source) -> dict:
        key = (source.level, source.entity_id or 0)
        return {
            "level": source.level,
            "name": source.entity_name,
            "label": source.label,
            "external_id": self.external_ids.get(key),
        }

    def effective(self, effective: Effective) -> dict:
        return {
            "value": effective.value,
            "source": self.source(effective.source),
            "overrides": [self.source(source) for source in effective.overridden_sources],
        }


def api_path(company: Company, external_ids: dict[str, str | None]) -> ApiPath:
    """The path down to the most specific level named; UnknownReference naming each unknown id."""
    scope, found, unknown = Scope.company(company.id), [], {}
    for level, model in LEVELS:
        external_id = external_ids.get(level)
        if not external_id:
            continue
        entity = db.session.scalar(scope.select(model).where(model.external_id == external_id).limit(1))
        if entity is None:
            unknown[level] = f"Unknown {level} “{external_id}”."
        else:
            found.append((level, entity))
    if unknown:
        raise UnknownReference(unknown)
    path = (("company", company.id), *((level, entity.id) for level, entity in found))
    level, entity = found[-1] if found else ("company", company)
    names = {("company", company.id): company.name, **{(lvl, e.id): e.name for lvl, e in found}}
    externals = {(lvl, e.id): e.external_id for lvl, e in found}
    return ApiPath(NodeRef(level, entity.id, entity.name, path), names, externals)


def path_policy(company_id: int, policy_type: str, path: ApiPath) -> dict:
    """{key: value with its source and what it overrides} of the path (cached like the pages')."""

    def build() -> dict:
        resolved, _, _ = resolve_node_in_full(company_id, policy_type, path.node)
        return {key: path.effective(effective) for key, effective in resolved.items()}

    key = "/".join(f"{level}:{ident}" for level, ident in path.node.path)
    return cached(company_id, f"api:policy:{policy_type}:{key}", dict, build)


def path_notifications(company_id: int, event_type: str, path: ApiPath, now: datetime) -> dict | None:
    """The resolved cells and the delivery plan of an event on the path (None: no such event)."""
    matrix = node_matrix(company_id, path.node)
    event = next((event for event in matrix.events if event.event_type == event_type), None)
    if event is None:
        return None
    cells = matrix.cells_of(event_type)
    channels = [
        {
            "channel": channel,
            "enabled": cells[channel].enabled,
            "locked": cells[channel].locked_by is not None,
            "settings": {key: path.effective(value) for key, value in cells[channel].values.items()},
        }
        for channel in CHANNELS
    ]
    plan = [
        {
            "minutes": attempt.minutes,
            "channel": attempt.channel,
            "kind": attempt.kind,
            "number": attempt.number,
            "wait_minutes": attempt.wait_minutes,
            "template": attempt.template,
            "because_of": attempt.because_of,
        }
        for attempt in delivery_plan(event, cells, now)
    ]
    return {
        "event_type": event.event_type,
        "label": event.label,
        "active": event.is_active,
        "path": path.describe(),
        "channels": channels,
        "plan": plan,
    }

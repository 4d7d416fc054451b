"""Plain values the notification templates render: matrix cells, editor rows, navigation."""
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from portal.domain.inheritance import Effective
from portal.domain.messages import M_, Message, join
from portal.domain.notifications import (
    CATALOG_DEFAULT,
    CHANNEL_LABELS,
    CHANNELS,
    KEY_LABELS,
    KEYS,
    NO_FALLBACK,
    STANDARD_TEMPLATE,
    EnabledChange,
    Event,
    ResolvedCell,
    allowed_keys,
    display_value,
    plan_enabled_change,
    provenance,
)
from portal.services.notifications.read import NodeMatrix, StoredCell

LEVEL_LABELS = {"company": M_("Company"), "branch": M_("Branch"), "service": M_("Service"),
                "staff": M_("Staff")}
CATEGORY_LABELS = {"booking": M_("Booking"), "reminder": M_("Reminders"),
                   "modification": M_("Changes and cancellations"), "callback": M_("Callbacks"),
                   "system": M_("After the appointment and payments")}
KEY_HELP = {
    "is_enabled": M_("Whether this event goes out on this channel."),
    "fallback_channel": M_("Tried once when every attempt on this channel has failed."),
    "retry_count": M_("Further attempts after the first one fails (0–10)."),
    "retry_delay_minutes": M_("Wait before the first retry; each later retry waits twice as long (1–1440)."),
    "template_override": M_("A template name instead of the standard one: a–z, 0–9 and _ . / - (max. 255)."),
}


@dataclass(frozen=True)
class ValueView:
    key: str
    label: str
    value: str
    provenance: str  # "overridden here", "inherited from Branch Mitte", …
    kind: str  # here | same | inherited | default
    short: str  # the matrix's compact form: "here", "Branch Mitte", "catalog"


@dataclass(frozen=True)
class Mark:
    """A small sign in a compact matrix cell: a symbol for the eye, words for everyone else."""

    kind: str  # fallback | retries | locked | template
    symbol: str
    words: str


@dataclass(frozen=True)
class CellView:
    event_type: str
    channel: str
    channel_label: str
    enabled: bool
    values: list[ValueView]
    lock: str | None
    ignored: str | None
    own: StoredCell | None
    marks: tuple[Mark, ...] = ()

    @property
    def state(self) -> ValueView:
        """The Enabled value with its provenance (what the compact line shows first)."""
        return self.values[0]


def cell_marks(cell: ResolvedCell, level: str) -> tuple[Mark, ...]:
    """What a compact cell flags beside on/off: a fallback, retries changed from the catalog's,
    a company lock, a template override."""
    marks = []
    fallback = cell.value("fallback_channel")
    if fallback in CHANNEL_LABELS:
        marks.append(Mark("fallback", "↪", M_("fallback %(channel)s", channel=CHANNEL_LABELS[fallback])))
    if any(not cell.values[key].is_default for key in ("retry_count", "retry_delay_minutes")):
        marks.append(Mark("retries", "↻", M_("retries changed: %(count)s × %(delay)s min",
                                             count=cell.value("retry_count"),
                                             delay=cell.value("retry_delay_minutes"))))
    if cell.locked_by is not None:
        marks.append(Mark("locked", "⊠", M_("locked on here: stays on below") if level == "company"
                          else M_("locked on by the company")))
    if cell.value("template_override") != STANDARD_TEMPLATE:
        marks.append(Mark("template", "✎", M_("template %(name)s", name=cell.value("template_override"))))
    return tuple(marks)


def value_view(effective: Effective, level: str, entity_id: int) -> ValueView:
    label = provenance(effective, level, entity_id)
    kind = {"overridden here": "here", "set here": "here", "overrides, same value": "same",
            CATALOG_DEFAULT: "default"}.get(label, "inherited")
    short = {"here": M_("here"), "same": M_("here, same value"), "default": M_("catalog")}.get(kind) or (
        M_("Company") if effective.source.level == "company" else effective.source.label)
    return ValueView(effective.key, KEY_LABELS[effective.key],
                     display_value(effective.key, effective.value), label, kind, short)


def lock_text(cell: ResolvedCell, level: str) -> str | None:
    if cell.locked_by is None:
        return None
    if level == "company":
        return M_("Locked on here: no level below can switch it off.")
    return M_("Locked on at company level: it cannot be switched off here.")


def ignored_text(cell: ResolvedCell) -> str | None:
    """Where a switch-off below a company lock is ignored, or None."""
    if not cell.ignored:
        return None
    names = join([source.label for source in cell.ignored], ", ")
    return M_("Switched off at %(names)s: ignored, the company locks it on.", names=names)


def cell_view(matrix: NodeMatrix, event_type: str, channel: str, level: str, entity_id: int) -> CellView:
    cell = matrix.cells[(event_type, channel)]
    return CellView(event_type, channel, CHANNEL_LABELS[channel], cell.enabled,
                    [value_view(cell.values[key], level, entity_id) for key in KEYS],
                    lock_text(cell, level), ignored_text(cell), matrix.own.get((event_type, channel)),
                    cell_marks(cell, level))


@dataclass(frozen=True)
class EditorRow:
    key: str
    label: str
    help: str
    current: ValueView
    inherited_value: str
    inherited_from: str
    mode: str
    typed: str
    error: str | None
    editable: bool  # offered at this level
    set_here: bool


def _as_input(key: str, value) -> str:
    if value is None:
        return ""
    if key == "is_enabled":
        return "yes" if value else "no"
    return str(value)


def _inherited(effective: Effective, here: bool) -> tuple[str, str]:
    if here and effective.overridden_sources:
        value, source = effective.overridden_values[0], effective.overridden_sources[0]
    else:
        value, source = effective.value, effective.source
    origin = {"default": M_("the event catalog"), "company": M_("Company")}.get(source.level, source.label)
    return display_value(effective.key, value), origin


def editor_rows(cell: ResolvedCell, own: StoredCell | None, level: str, entity_id: int,
                entry) -> list[EditorRow]:
    """Per setting: the value inherited (and from where), what this node sets, any error."""
    settings = own.settings if own else {}
    rows = []
    for key in KEYS:
        effective = cell.values[key]
        here = effective.source.level == level and effective.source.entity_id == entity_id
        inherited_value, inherited_from = _inherited(effective, here)
        own_value = settings.get(key)
        default_mode = ("standard" if key == "template_override" and own_value == STANDARD_TEMPLATE
                        else "set" if key in settings else "inherit")
        rows.append(EditorRow(
            key, KEY_LABELS[key], KEY_HELP[key], value_view(effective, level, entity_id),
            inherited_value, inherited_from, entry.modes.get(key) or default_mode,
            entry.typed[key] if key in entry.typed else _as_input(key, own_value),
            entry.errors.get(key), key in allowed_keys(level), key in settings))
    return rows


def fallback_choices(channel: str) -> list[tuple[str, str]]:
    """(value, label) of the fallback select: no fallback, then the three other channels."""
    return [(NO_FALLBACK, M_("no fallback"))] + [(other, CHANNEL_LABELS[other]) for other in CHANNELS
                                             if other != channel]


def duration(minutes: int) -> str:
    """"at once", "15 min", "2 h 35 min", "3 d 4 h"."""
    if minutes == 0:
        return M_("at once")
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = ((days, M_("%(amount)s d", amount=days)), (hours, M_("%(amount)s h", amount=hours)),
             (mins, M_("%(amount)s min", amount=mins)))
    return join([text for amount, text in parts if amount], " ")


@dataclass
class NavItem:
    """A link of the compact tree; the tree opens along the current node's path."""

    level: str
    entity_id: int
    name: str
    context: tuple[tuple[str, int], ...]
    current: bool
    children: list["NavItem"]
    active: bool = True

    def link_args(self, show_inactive: bool = False) -> str:
        """The query string of the item's link: its tree position, and "show inactive" kept."""
        args = [*self.context, *((("inactive", 1),) if show_inactive else ())]
        return "?" + urlencode(args) if args else ""


def nav_tree(hierarchy, node) -> NavItem:
    """Company → all branches; the branch on the path → its services; the service on the path →
    its staff there. A service or staff member opened without a tree position opens where they
    appear (branches offering the service, the services the person performs)."""
    path, company = set(node.path), hierarchy.tree.company

    def item(level, entity, context=()):
        current = node.key == (level, entity.id) and (node.context == context or not node.context)
        return NavItem(level, entity.id, entity.name, context, current, [], getattr(entity, "active", True))

    root = item("company", company)
    for branch in hierarchy.tree.branches:
        branch_item = item("branch", branch)
        root.children.append(branch_item)
        services = hierarchy.offered.get(branch.id, ())
        on_path = ("branch", branch.id) in path
        if not on_path and not (node.level == "service" and not node.context
                                and node.entity_id in {service.id for service in services}):
            continue
        for service in services:
            service_item = item("service", service, (("branch", branch.id),))
            branch_item.children.append(service_item)
            staff = hierarchy.performers.get((branch.id, service.id), ())
            if on_path and (("service", service.id) in path or (
                    node.level == "staff" and not node.context and node.entity_id in {m.id for m in staff})):
                service_item.children = [item("staff", m, (("service", service.id),)) for m in staff]
    return root


@dataclass(frozen=True)
class PlanRow:
    channel_label: str
    kind: str  # first | retry | fallback
    what: str
    template: str


@dataclass(frozen=True)
class PlanStop:
    """One moment of the timeline and the attempts made then."""

    offset: str  # "t + 15 min"
    at: datetime  # naive UTC; pages show it in the company's zone
    rows: list[PlanRow]


def _attempt_text(attempt, cells: dict[str, ResolvedCell]) -> str:
    if attempt.kind == "first":
        return M_("first attempt")
    if attempt.kind == "retry":
        retries = cells[attempt.channel].value("retry_count")
        return M_("retry %(number)s of %(retries)s, %(wait)s after the previous attempt failed",
                  number=attempt.number - 1, retries=retries, wait=duration(attempt.wait_minutes))
    tries = cells[attempt.because_of].value("retry_count") + 1
    if tries == 1:
        return M_("sent once because %(tries)s attempt on %(channel)s failed", tries=tries,
                  channel=CHANNEL_LABELS[attempt.because_of])
    return M_("sent once because all %(tries)s attempts on %(channel)s failed", tries=tries,
              channel=CHANNEL_LABELS[attempt.because_of])


def plan_stops(attempts, cells: dict[str, ResolvedCell]) -> list[PlanStop]:
    """The delivery plan as a timeline: attempts grouped by the moment they go out."""
    stops: list[PlanStop] = []
    for attempt in attempts:
        if not stops or stops[-1].offset != _offset(attempt.minutes):
            stops.append(PlanStop(_offset(attempt.minutes), attempt.at, []))
        stops[-1].rows.append(PlanRow(CHANNEL_LABELS[attempt.channel], attempt.kind,
                                      _attempt_text(attempt, cells),
                                      display_value("template_override", attempt.template)))
    return stops


def _offset(minutes: int) -> str:
    return "t + 0" if not minutes else M_("t + %(duration)s", duration=duration(minutes))


def channel_summaries(attempts, cells: dict[str, ResolvedCell]) -> list[tuple[str, Message]]:
    """Per channel that sends: (channel, "at 0, 5, 15 and 35 min; then SMS")."""
    summaries: list[tuple[str, Message]] = []
    for channel in CHANNELS:
        times = [a.minutes for a in attempts if a.channel == channel and a.kind != "fallback"]
        if not times:
            continue
        said = (M_("%(first)s and %(last)s", first=", ".join(str(t) for t in times[:-1]), last=times[-1])
                if len(times) > 1 else str(times[-1]))
        fallback = cells[channel].value("fallback_channel")
        then = (M_("; then once on %(channel)s",
                   channel=CHANNEL_LABELS[fallback]) if fallback in CHANNEL_LABELS
                else M_("; no fallback"))
        count = (M_("%(count)s attempt at %(times)s min", count=len(times), times=said) if len(times) == 1
                 else M_("%(count)s attempts at %(times)s min", count=len(times), times=said))
        summaries.append((CHANNEL_LABELS[channel], join([count, then], "")))
    return summaries


def crumbs(node, names: dict) -> list[NavItem]:
    """The node's path as links, company first, each at its own tree position."""
    items = []
    for index, (level, ident) in enumerate(node.path):
        parent = node.path[index - 1] if index else None
        context = ((parent,) if parent and (level, parent[0]) in (("service", "branch"), ("staff", "service"))
                   else ())
        items.append(NavItem(level, ident, names.get((level, ident)) or f"#{ident}", context,
                             (level, ident) == node.key, []))
    return items


@dataclass(frozen=True)
class BulkRow:
    """One cell of a bulk preview: the event and channel, on/off before and after, or the refusal."""

    event_label: str
    channel_label: str
    change: EnabledChange
    version: int


def _covers(selection, event: Event, channel: str) -> bool:
    events, channels = selection.events, selection.channels
    event_ok = events in ("all", event.event_type, f"category:{event.category}")
    return event_ok and channels in ("all", channel)


def bulk_preview(matrix: NodeMatrix, level: str, selection) -> list[BulkRow]:
    """The cells the selection covers whose own Enabled would change, in matrix order."""
    rows = []
    for event in matrix.events:
        for channel in CHANNELS:
            if not _covers(selection, event, channel):
                continue
            own = matrix.own.get((event.event_type, channel))
            change = plan_enabled_change(matrix.cells[(event.event_type, channel)],
                                         own.settings if own else None, level, bool(own and own.locked),
                                         selection.target)
            if change is not None:
                rows.append(BulkRow(event.label, CHANNEL_LABELS[channel], change, own.version if own else 0))
    return rows


def bulk_choices(events) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(event choices, channel choices) of the bulk form: all, each category, each event."""
    categories = list(dict.fromkeys(event.category for event in events))
    event_choices = [("all", M_("All events"))] + [
        (f"category:{category}", M_("All: %(category)s", category=CATEGORY_LABELS.get(category, category)))
        for category in categories] + [(event.event_type, event.label) for event in events]
    channels = [("all", M_("All channels"))] + [(channel, CHANNEL_LABELS[channel]) for channel in CHANNELS]
    return event_choices, channels

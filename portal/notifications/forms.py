"""The cell editor's form: per setting, inherit or set here, and the value chosen.

The form only reads what was sent; the rules (ranges, staff restrictions, the lock) are the
domain's, applied by the service whatever the form offered. A setting the level may not change
is passed on whenever the request names it, so a crafted POST gets the rule's refusal.
"""
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from portal.domain.messages import M_
from portal.domain.notifications import BULK_TARGETS, CHANNELS, KEYS, STANDARD_TEMPLATE, allowed_keys
from portal.domain.parsing import InputError, parse_int

MODES = ("inherit", "set", "standard")  # "standard": the template key's explicit "no override"


@dataclass
class CellInput:
    """What the person submitted, kept as typed so a refused save loses nothing."""

    modes: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # the keys set at this level, as typed
    lock: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    version: int = 0


def read_version(form: MultiDict) -> int | None:
    try:
        return parse_int(form.get("version", ""), minimum=0)
    except InputError:
        return None


def read_cell_form(level: str, form: MultiDict) -> CellInput:
    """Parse the editor form of one cell at `level`."""
    entry = CellInput(lock=form.get("locked") == "1")
    version = read_version(form)
    if version is None:
        entry.errors["version"] = M_("The form is missing its version; reload the page.")
    else:
        entry.version = version
    named = {name.split("_", 1)[1] for name in form if name.startswith(("mode_", "value_"))}
    for key in (*KEYS, *sorted(named - set(KEYS))):
        mode, typed = form.get(f"mode_{key}", "inherit"), form.get(f"value_{key}", "").strip()
        entry.modes[key], entry.typed[key] = mode, typed
        if key not in allowed_keys(level) and key in KEYS:
            if mode != "inherit" or typed:
                entry.raw[key] = typed or mode  # refused by the rules, with their message
        elif key not in KEYS:
            entry.raw[key] = typed  # an unknown setting: refused by the rules
        elif mode not in MODES or (mode == "standard" and key != "template_override"):
            entry.errors[key] = M_("Choose Inherit or Set here.")
        elif mode == "standard":
            entry.raw[key] = STANDARD_TEMPLATE
        elif mode == "set" and not typed:
            entry.errors[key] = M_("Choose a value, or Inherit.")
        elif mode == "set":
            entry.raw[key] = typed
    return entry


@dataclass(frozen=True)
class BulkSelection:
    """Which cells of a node a bulk change touches, and what it sets their Enabled to."""

    events: str  # "all", "category:<category>" or one event type
    channels: str  # "all" or one channel
    target: str  # on | off | inherit

    def args(self) -> dict[str, str]:
        return {"events": self.events, "channels": self.channels, "enabled": self.target}


def read_bulk_selection(values: MultiDict, events, categories) -> tuple[BulkSelection | None, str | None]:
    """The bulk form's choice from the query string or the confirmation form; a message when a
    value is not one of the offered ones."""
    chosen_events = values.get("events", "all")
    chosen_channels = values.get("channels", "all")
    target = values.get("enabled", "off")
    event_types = {event.event_type for event in events}
    if chosen_events != "all" and chosen_events not in event_types and \
            chosen_events.removeprefix("category:") not in categories:
        return None, M_("Choose the events from the list.")
    if chosen_channels != "all" and chosen_channels not in CHANNELS:
        return None, M_("Choose the channel from the list.")
    if target not in BULK_TARGETS:
        return None, M_("Choose on, off or inherited.")
    return BulkSelection(chosen_events, chosen_channels, target), None


def read_seen_cells(form: MultiDict) -> set[tuple[str, str, int]] | None:
    """The (event, channel, version) of each cell the confirmed preview listed; None if damaged."""
    seen = set()
    for value in form.getlist("cell"):
        event_type, _, rest = value.partition(":")
        channel, _, version = rest.partition(":")
        if not (event_type and channel and version.isdigit()):
            return None
        seen.add((event_type, channel, int(version)))
    return seen

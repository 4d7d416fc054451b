"""Notification configuration: catalog defaults, key-by-key resolution with provenance, locks,
staff restrictions and validation of one (event, channel) cell of one level.

A cell's settings are five keys. At each level of a path a key is set or "not set here"
(None), and the effective value comes from the most specific level that sets it, down to the
default from the event catalog (see inheritance.py — the same merge as policies):

- is_enabled: default True iff the channel is one of the event's default channels and the
  event is active in the catalog.
- fallback_channel: one of the other three channels, or "none" (NO_FALLBACK), which a level
  sets to drop a fallback it would inherit. Default "none".
- retry_count 0–10 (default 3), retry_delay_minutes 1–1440 (default 5). Business rules: a staff
  level never sets them (refused on save, and ignored in resolution should a row carry them).
- template_override: a template name, or "" (STANDARD_TEMPLATE), which a level sets to go back
  to the standard template below a parent that overrides it. Default: the standard template.

A lock is set on the company level of a cell and keeps it switched on everywhere below: a lower
level's is_enabled = False is refused on save, and ignored in resolution (for rows saved before
the lock), and the lock shows on every node below. Only an enabled company cell can be locked.
"""
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal.domain.inheritance import (
    Effective,
    LevelRow,
    Source,
    defaults_layer,
    describe,
    merge_path,
    ordered_rows,
)
from portal.domain.messages import M_, Localized, english
from portal.domain.parsing import InputError, parse_int

CHANNELS = ("email", "sms", "whatsapp", "push")
CHANNEL_LABELS = {"email": M_("Email"), "sms": "SMS", "whatsapp": "WhatsApp", "push": "Push"}
NO_FALLBACK = "none"
STANDARD_TEMPLATE = ""
KEYS = ("is_enabled", "fallback_channel", "retry_count", "retry_delay_minutes", "template_override")
STAFF_KEYS = ("is_enabled", "fallback_channel", "template_override")
KEY_LABELS = {"is_enabled": M_("Enabled"), "fallback_channel": M_("Fallback"),
              "retry_count": M_("Retries"), "retry_delay_minutes": M_("Retry delay"),
              "template_override": M_("Template")}
RETRY_COUNT_RANGE = (0, 10)
RETRY_DELAY_RANGE = (1, 1440)
DEFAULT_RETRY_COUNT, DEFAULT_RETRY_DELAY = 3, 5
TEMPLATE_NAME = re.compile(r"[a-z0-9_./-]{1,255}")
CATALOG_DEFAULT = M_("default from the event catalog")
# The catalog's descriptions (migration 0002) are system data in English; their translations live
# in the message catalogs. A description the catalog does not know is shown as stored.
EVENT_DESCRIPTIONS = {english(text): text for text in (
    M_("Sent when an appointment is booked and confirmed."),
    M_("Sent when a booking waits for confirmation by the business."),
    M_("Reminds the customer one day before the appointment."),
    M_("Short reminder two hours before the appointment."),
    M_("Early reminder a week ahead, for long-planned appointments."),
    M_("Confirms a cancellation, with any fee charged."),
    M_("Confirms the new time of a rescheduled appointment."),
    M_("Sent when details of an appointment change (staff, service, notes)."),
    M_("Tells the customer we received their callback request."),
    M_("Tells the customer when an agent will call back."),
    M_("Sent after a customer missed an appointment, with any no-show fee."),
    M_("Thanks the customer after the appointment and asks for feedback."),
    M_("Receipt for a payment."),
)}


@dataclass(frozen=True)
class Event:
    """One event of the catalog (notification_event_mappings) as plain data."""

    event_type: str
    label: str
    label_de: str | None
    category: str
    default_channels: tuple[str, ...]
    description: str
    is_active: bool
    variables: tuple[str, ...] = ()
    timing: str = "immediately"
    offset_hours: int | None = None
    priority: str = "normal"

    def __post_init__(self):
        """The label in each language it has, the description translatable: however the event
        was built (from its row, or read back from the cache as plain text)."""
        object.__setattr__(self, "label", Localized(english(self.label), de=self.label_de))
        object.__setattr__(self, "description", EVENT_DESCRIPTIONS.get(english(self.description),
                                                                       self.description))


def catalog_defaults(event: Event, channel: str) -> dict[str, Any]:
    """The values of a cell that no level configures."""
    return {
        "is_enabled": event.is_active and channel in event.default_channels,
        "fallback_channel": NO_FALLBACK,
        "retry_count": DEFAULT_RETRY_COUNT,
        "retry_delay_minutes": DEFAULT_RETRY_DELAY,
        "template_override": STANDARD_TEMPLATE,
    }


def allowed_keys(level: str) -> tuple[str, ...]:
    """The keys a level may set: staff only the person's preferences."""
    return STAFF_KEYS if level == "staff" else KEYS


@dataclass(frozen=True)
class ResolvedCell:
    """The effective settings of one (event, channel) on one path, each with its provenance."""

    event_type: str
    channel: str
    values: Mapping[str, Effective]
    locked_by: Source | None = None  # the company level that locks it on
    ignored: tuple[Source, ...] = ()  # lower levels whose "disabled" the lock overrides

    def value(self, key: str) -> Any:
        return self.values[key].value

    @property
    def enabled(self) -> bool:
        return bool(self.value("is_enabled"))


def _applicable(row: LevelRow, locked: bool) -> tuple[LevelRow, bool]:
    """The part of a row resolution may use, and whether a lock overrode its "disabled"."""
    config = {key: value for key, value in row.config.items() if key in allowed_keys(row.level)}
    ignored = locked and row.level != "company" and config.get("is_enabled") is False
    if ignored:
        config["is_enabled"] = None
    return LevelRow(row.level, row.entity_id, row.entity_name, config), ignored


def resolve_cell(event: Event, channel: str, rows: Sequence[LevelRow | None],
                 locked_by: Source | None = None) -> ResolvedCell:
    """Resolve one cell along a path: rows of any level order, None for a level without a row.

    `locked_by` is the company level when it locks this cell.
    """
    applied, ignored = [], []
    for row in ordered_rows(rows):
        row, was_ignored = _applicable(row, locked_by is not None)
        applied.append(row)
        if was_ignored:
            ignored.append(row.source)
    values = merge_path(defaults_layer(catalog_defaults(event, channel)), applied)
    return ResolvedCell(event.event_type, channel, {key: values[key] for key in KEYS},
                        locked_by, tuple(ignored))


def provenance(effective: Effective, level: str, entity_id: int) -> str:
    """"overridden here", "overrides, same value", "inherited from Branch Mitte" or the
    catalog default, as seen at the node (level, entity_id)."""
    label = describe(effective, level, entity_id, default_label=CATALOG_DEFAULT)
    if label.startswith("inherited from Company"):
        return M_("inherited from %(source)s", source=M_("Company"))
    return label


def display_value(key: str, value: Any) -> str:
    """A value as people read it: "on", "SMS", "3", "5 min", "standard" (template)."""
    if key == "is_enabled":
        return M_("on") if value else M_("off")
    if key == "fallback_channel":
        return M_("no fallback") if value in (None, NO_FALLBACK) else CHANNEL_LABELS.get(value, value)
    if key == "retry_delay_minutes":
        return M_("%(value)s min", value=value)
    if key == "template_override":
        return value or M_("standard")
    return str(value)


# --- validation -----------------------------------------------------------------------------


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"yes": True, "true": True, "1": True, "on": True,
            "no": False, "false": False, "0": False, "off": False}.get(str(value).strip().lower())


def _parse_int(value: Any, low: int, high: int) -> int | None:
    try:
        return parse_int(value, minimum=low, maximum=high)
    except InputError:
        return None


def _clean_key(key: str, value: Any, channel: str) -> tuple[Any, str | None]:
    """(clean value, None) or (None, message) for one key."""
    label = CHANNEL_LABELS[channel]
    if key == "is_enabled":
        parsed = _parse_bool(value)
        return (parsed, None) if parsed is not None else (None, M_("Enabled must be yes or no."))
    if key == "fallback_channel":
        choice = str(value).strip().lower()
        if choice == channel:
            return None, M_("The fallback must be a different channel than %(channel)s itself.",
                            channel=label)
        if choice not in (*CHANNELS, NO_FALLBACK):
            return None, M_("Fallback channel must be email, sms, whatsapp, push or none.")
        return choice, None
    if key == "retry_count":
        number = _parse_int(value, *RETRY_COUNT_RANGE)
        return (number, None) if number is not None else (
            None, M_("Retries must be a whole number from 0 to 10."))
    if key == "retry_delay_minutes":
        number = _parse_int(value, *RETRY_DELAY_RANGE)
        return (number, None) if number is not None else (
            None, M_("Retry delay must be a whole number of minutes from 1 to 1440 (one day)."))
    name = str(value).strip()
    if name.startswith("/") or ".." in name.split("/"):
        # a name, not a path: the sender must never be pointed outside its template folder
        return None, M_("Template name cannot start with / or contain a .. step.")
    if name == STANDARD_TEMPLATE or TEMPLATE_NAME.fullmatch(name):
        return name, None
    if len(name) > 255:
        return None, M_("Template name is longer than 255 characters.")
    return None, M_("Template name may use only lower-case letters, digits and _ . / - "
                    "(e.g. reminders/sms_short).")


def clean_settings(level: str, channel: str, raw: Mapping[str, Any], *, lock: bool = False,
                   locked_above: bool = False,
                   inherited_enabled: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate what one level sets for a cell: (clean settings, errors by key).

    `raw` holds only the keys set at this level (strings or typed values); `lock` is the lock
    this level asks for; `locked_above` says the company level locks the cell;
    `inherited_enabled` whether the cell is on without this level's Enabled (a cell already on
    by the catalog can be locked as it is). Any error means nothing may be saved.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if channel not in CHANNELS:
        return {}, {"channel": M_("Unknown channel %(channel)s.", channel=repr(channel))}
    for key, value in raw.items():
        if key not in KEYS:
            errors[key] = M_("Unknown setting %(key)s for a notification channel.", key=repr(key))
        elif key not in allowed_keys(level):
            errors[key] = M_("%(setting)s cannot be set for a staff member: retries are a business rule of "
                             "the company, a branch or a service.", setting=KEY_LABELS[key])
        elif value is None:
            continue
        else:
            clean[key], message = _clean_key(key, value, channel)
            if message:
                errors[key] = message
                clean.pop(key)
    _check_lock(level, clean, errors, lock, locked_above, inherited_enabled)
    return clean, errors


def _check_lock(level: str, clean: dict, errors: dict, lock: bool, locked_above: bool,
                inherited_enabled: bool) -> None:
    enabled = clean.get("is_enabled", inherited_enabled)
    if lock and level != "company":
        errors["locked"] = M_("Only the company level can lock a channel.")
    elif lock and enabled is not True and "is_enabled" not in errors:
        errors["locked"] = M_("A locked channel must be on: set Enabled to yes, or unlock it.")
    if locked_above and level != "company" and clean.get("is_enabled") is False:
        errors["is_enabled"] = M_("Locked at company level: this channel cannot be switched off below the "
                                  "company.")


# --- bulk changes ------------------------------------------------------------------------------

BULK_TARGETS = {"on": True, "off": False, "inherit": None}


@dataclass(frozen=True)
class EnabledChange:
    """What a bulk "Enabled" change does to one cell of one node: its own settings afterwards,
    the effective on/off before and after, or why it is refused (then nothing changes there)."""

    event_type: str
    channel: str
    settings: dict[str, Any]
    before: bool
    after: bool
    refusal: str | None = None


def plan_enabled_change(cell: ResolvedCell, own: Mapping[str, Any] | None, level: str,
                        own_locked: bool, target: str) -> EnabledChange | None:
    """The change a bulk "switch on / off / back to inherited" makes to one cell at `level`;
    None when the node already sets exactly that (nothing to do)."""
    wanted = BULK_TARGETS[target]
    settings = dict(own or {})
    if settings.get("is_enabled") == wanted and (wanted is not None or "is_enabled" not in settings):
        return None
    if wanted is None:
        settings.pop("is_enabled", None)
        enabled = cell.values["is_enabled"]
        after = bool(enabled.inherited_value) if enabled.is_override and enabled.source.level == level \
            else cell.enabled
    else:
        settings["is_enabled"] = wanted
        after = wanted
    refusal = None
    if cell.locked_by is not None and level != "company" and wanted is False:
        refusal = "locked on by the company: it cannot be switched off here"
    elif own_locked and wanted is not True:
        refusal = "locked on here: unlock it in the cell editor first"
    if cell.locked_by is not None and level != "company":
        after = True
    return EnabledChange(cell.event_type, cell.channel, settings, cell.enabled,
                         cell.enabled if refusal else after, refusal)

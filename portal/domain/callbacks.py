"""The callback queue's rules (DESIGN §4, §6): state machine, SLA deadline, badges, merging.

Pure: no Flask, no database; `now` is always a parameter.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.domain.clock import to_local
from portal.domain.messages import M_, MC_, Span, join
from portal.domain.policy_schema import TYPE_DEFAULTS, UNLIMITED

STATUSES = ("pending", "assigned", "contacted", "completed", "expired", "cancelled")
OPEN = ("pending", "assigned", "contacted")
PRIORITIES = ("normal", "high", "urgent")
ROLES = ("admin", "branch_manager", "agent")
SYSTEM = "system"  # the sweep
MERGE_WINDOW = timedelta(minutes=30)
MERGEABLE = ("pending", "assigned")
NAME_MAX, EMAIL_MAX, NOTE_MAX, REASON_MAX = 200, 255, 2000, 500
# A callback's notes (a TEXT column: 65,535 bytes on MySQL, 4 bytes a character at worst).
MERGED_NOTES_MAX = 12_000
SHORTENED_MARKER = "[… earlier notes shortened]"


@dataclass(frozen=True)
class Transition:
    """An action: the states it may start from, the state it leads to (None: unchanged), who."""

    label: str
    sources: tuple[str, ...]
    target: str | None
    roles: tuple[str, ...]


EVERYONE = ROLES
MANAGERS = ("admin", "branch_manager")
TRANSITIONS: dict[str, Transition] = {
    "claim": Transition(MC_("callback action", "claim"), ("pending", "assigned"), "assigned", EVERYONE),
    "assign": Transition(MC_("callback action", "assign"), ("pending", "assigned"), "assigned", MANAGERS),
    # Agents unassign only callbacks assigned to them (a claim made by mistake): see unassign_refusal.
    "unassign": Transition(MC_("callback action", "unassign"), ("assigned",), "pending", EVERYONE),
    "attempt": Transition(MC_("callback action", "record a failed attempt on"), ("assigned",), None,
                          EVERYONE),
    "contacted": Transition(MC_("callback action", "mark contacted"), ("assigned",), "contacted", EVERYONE),
    "complete": Transition(MC_("callback action", "complete"), ("contacted",), "completed", EVERYONE),
    "cancel": Transition(MC_("callback action", "cancel"), OPEN, "cancelled", EVERYONE),
    # Escalating to a staff member hands them the callback: a pending one becomes assigned.
    "escalate": Transition(MC_("callback action", "escalate"), OPEN, None, EVERYONE),
    # An escalation can be resolved whatever became of its callback.
    "resolve": Transition(MC_("callback action", "resolve an escalation of"), STATUSES, None, EVERYONE),
    "expire": Transition(MC_("callback action", "expire"), OPEN, "expired", (SYSTEM,)),
}
ROLE_NAMES = {"admin": M_("Admins"), "branch_manager": M_("Branch managers"), "agent": M_("Support agents"),
              SYSTEM: M_("The sweep")}
# The states as a refusal names them ("A completed callback cannot be claimed").
STATE_WORDS = {"pending": MC_("callback status", "pending"), "assigned": MC_("callback status", "assigned"),
               "contacted": MC_("callback status", "contacted"),
               "completed": MC_("callback status", "completed"),
               "cancelled": MC_("callback status", "cancelled"), "expired": MC_("callback status", "expired")}


def is_allowed(status: str, action: str, role: str) -> bool:
    """True when `role` may do `action` to a callback in `status` (what `refusal` answers None
    to, without building its explanation: a queue page asks a few hundred times)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and role in transition.roles and status in transition.sources


def refusal(status: str, action: str, role: str) -> str | None:
    """Why `role` may not do `action` to a callback in `status` (None: allowed)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return M_("Unknown action %(action)s.", action=repr(action))
    if role not in transition.roles:
        if transition.roles == (SYSTEM,):
            return M_("Callbacks expire only through the sweep.")
        return M_("%(who)s cannot %(action)s callbacks.", who=ROLE_NAMES.get(role, role),
                  action=transition.label)
    if status not in transition.sources:
        return M_("A %(status)s callback cannot be %(done)s; only %(states)s ones can.",
                  status=STATE_WORDS.get(status, status), done=PAST[action],
                  states=_listing(transition.sources))
    return None


def unassign_refusal(role: str, assigned_to: int | None, own_staff_id: int | None) -> str | None:
    """Why `role` may not unassign a callback assigned to `assigned_to` (None: allowed): managers
    and admins unassign anyone's; an agent only their own."""
    if role in MANAGERS or (own_staff_id is not None and assigned_to == own_staff_id):
        return None
    return M_("Support agents can unassign only callbacks assigned to them; ask a manager to move this one.")


def attempts_left(attempts: int, policy: "CallbackPolicy") -> int:
    """Failed attempts that may still be recorded before the maximum is reached."""
    return max(0, policy.max_contact_attempts - attempts)


def available_actions(status: str, role: str) -> tuple[str, ...]:
    """The actions `role` may take on a callback in `status`, in menu order."""
    return tuple(action for action in TRANSITIONS if is_allowed(status, action, role))


def target_status(action: str, status: str, to_staff: bool = False) -> str:
    """The status after `action`: its target, or unchanged (escalating to staff assigns)."""
    if action == "escalate" and to_staff and status == "pending":
        return "assigned"
    return TRANSITIONS[action].target or status


PAST = {"claim": MC_("callback refusal", "claimed"), "assign": MC_("callback refusal", "assigned"),
        "unassign": MC_("callback refusal", "unassigned"),
        "attempt": MC_("callback refusal", "given a failed attempt"),
        "contacted": MC_("callback refusal", "marked contacted"),
        "complete": MC_("callback refusal", "completed"), "cancel": MC_("callback refusal", "cancelled"),
        "escalate": MC_("callback refusal", "escalated"), "resolve": MC_("callback refusal", "resolved"),
        "expire": MC_("callback refusal", "expired")}


def _listing(states) -> str:
    """"pending or assigned": the states' words, the last after "or"."""
    words = [STATE_WORDS.get(state, state) for state in states]
    if len(words) == 1:
        return words[0]
    return M_("%(some)s or %(last)s", some=join(words[:-1], ", "), last=words[-1])


# --- SLA --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CallbackPolicy:
    """The effective callback settings of one path (company, branch, service, staff)."""

    sla_minutes: Mapping[str, int]
    max_contact_attempts: int
    due_soon_minutes: int
    expire_after_hours: int | None  # None: never expire

    @classmethod
    def from_config(cls, config: Mapping | None) -> "CallbackPolicy":
        values = {**TYPE_DEFAULTS["callback"], **(config or {})}
        expire = values.get("expire_after_hours")
        return cls(
            sla_minutes={p: int(values[f"sla_minutes_{p}"]) for p in PRIORITIES},
            max_contact_attempts=int(values["max_contact_attempts"]),
            due_soon_minutes=int(values["due_soon_minutes"]),
            expire_after_hours=None if expire in (None, UNLIMITED) else int(expire),
        )


def sla_deadline(created_at: datetime, priority: str, policy: CallbackPolicy) -> datetime:
    """expires_at: created_at plus the SLA minutes of the priority."""
    return created_at + timedelta(minutes=policy.sla_minutes[priority])


def urgency(status: str, expires_at: datetime, now: datetime, due_soon_minutes: int) -> str:
    """closed | overdue (open, past the deadline) | due_soon (within due_soon_minutes) | on_time."""
    if status not in OPEN:
        return "closed"
    if expires_at < now:
        return "overdue"
    if expires_at - now <= timedelta(minutes=due_soon_minutes):
        return "due_soon"
    return "on_time"


def format_duration(delta: timedelta) -> str:
    """A span as people say it: "23 min", "1 h 5 min", "2 d 4 h" (whole minutes, rounded down)."""
    return Span(abs(delta), _english_duration(delta))


def _english_duration(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


CLOSED_WORDS = {"completed": M_("Completed"), "expired": M_("Expired"), "cancelled": M_("Cancelled")}


@dataclass(frozen=True)
class Badge:
    kind: str  # overdue | due_soon | on_time | closed
    text: str  # readable without colour


def deadline_badge(status: str, expires_at: datetime, now: datetime, due_soon_minutes: int,
                   completed_at: datetime | None = None) -> Badge:
    """The countdown badge of the queue: "Overdue by 1 h 5 min", "Due soon: in 12 min", "Due in 3 h";
    a completed callback says whether it met its deadline."""
    kind = urgency(status, expires_at, now, due_soon_minutes)
    if kind == "closed":
        if status == "completed" and completed_at is not None:
            late = completed_at - expires_at
            in_time = late <= timedelta(0)
            return Badge(kind, M_("Completed in time") if in_time else
                         M_("Completed %(span)s late", span=format_duration(late)))
        return Badge(kind, CLOSED_WORDS.get(status, status.capitalize()))
    span = format_duration(expires_at - now)
    if kind == "overdue":
        return Badge(kind, M_("Overdue by %(span)s", span=span))
    if kind == "due_soon":
        return Badge(kind, M_("Due soon: in %(span)s", span=span))
    return Badge(kind, M_("Due in %(span)s", span=span))


def should_expire(status: str, expires_at: datetime, now: datetime, policy: CallbackPolicy) -> bool:
    """Open and more than expire_after_hours past its deadline."""
    if status not in OPEN or policy.expire_after_hours is None:
        return False
    return now >= expires_at + timedelta(hours=policy.expire_after_hours)


def attempts_exhausted(attempts: int, policy: CallbackPolicy) -> bool:
    """True once failed attempts reach max_contact_attempts (a multiple_attempts_failed escalation)."""
    return attempts >= policy.max_contact_attempts


# --- merging duplicates ------------------------------------------------------------------------

def higher_priority(first: str, second: str) -> str:
    """The more urgent of two priorities: a merge raises, never lowers."""
    return max(first, second, key=PRIORITIES.index)


def can_merge_into(status: str, created_at: datetime, now: datetime) -> bool:
    """A new request merges into an open one (pending or assigned) from the last 30 minutes."""
    return status in MERGEABLE and now - created_at <= MERGE_WINDOW


def merged_notes(existing: str | None, added: str | None, now: datetime, source: str,
                 tz_name: str = "UTC") -> str | None:
    """The open request's notes with the new request's note appended (never replaced), stamped
    in the company's time zone (`now` is naive UTC).

    Notes grow with every merge, so they are kept within MERGED_NOTES_MAX characters: past it the
    oldest part gives way to a marker, and the newest note is always kept whole — a customer's
    latest request is never lost, and the next intake from that phone still fits the column.
    """
    if not added:
        return existing
    local = to_local(now, tz_name)
    line = f"[{local:%Y-%m-%d %H:%M %Z}, {source}] {added}"
    merged = f"{existing}\n{line}" if existing else line
    if len(merged) <= MERGED_NOTES_MAX:
        return merged
    room = MERGED_NOTES_MAX - len(SHORTENED_MARKER) - 1
    kept = merged[-room:] if room > 0 else ""
    if "\n" in kept and not kept.startswith(line):
        kept = kept[kept.index("\n") + 1:]  # start at a whole note where one fits
    return f"{SHORTENED_MARKER}\n{kept}"

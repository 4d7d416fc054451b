"""Delivery rules: what a delivery plans from a node's resolved cells, and what follows an attempt.

The same rules as the delivery-plan preview (notification_plan.py), now run for real:
- every enabled channel makes its first attempt when the event fires;
- a temporary failure is retried after retry_delay_minutes × 2^n (n = 0 for the first retry),
  counted from the moment the failed attempt was made;
- after the last retry fails — or at once on a permanent failure (an invalid number) — the
  fallback channel gets one attempt, with no retries and no fallback of its own;
- a channel the customer has not consented to (or has no address for) is not contacted: the
  attempt is recorded as skipped and the fallback is used at once;
- a company lock keeps a channel switched on below (the resolver already applies it).
"""
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from portal.domain.notification_plan import delivery_plan
from portal.domain.notifications import CHANNELS, NO_FALLBACK, Event, ResolvedCell

# Reminders and the feedback request are marketing-like: their emails carry an unsubscribe link.
NON_CRITICAL_EVENTS = frozenset({"reminder_1week", "reminder_24h", "reminder_2h", "appointment_completed"})
REMINDER_EVENTS = ("reminder_1week", "reminder_24h", "reminder_2h")
OK, TEMPORARY, PERMANENT = "ok", "temporary", "permanent"
OPEN_ATTEMPTS = ("due", "sending")


@dataclass(frozen=True)
class ChannelRule:
    """One channel's effective settings for one event at one node, as a delivery keeps them."""

    channel: str
    enabled: bool
    retry_count: int
    retry_delay_minutes: int
    fallback: str | None
    template: str
    locked: bool


@dataclass(frozen=True)
class Step:
    """The attempt that follows a failed one."""

    kind: str  # retry | fallback
    channel: str
    number: int
    due_at: datetime


def channel_rules(cells: Mapping[str, ResolvedCell]) -> dict[str, ChannelRule]:
    """The four channels' rules from a node's resolved cells for one event."""
    rules = {}
    for channel in CHANNELS:
        cell = cells[channel]
        fallback = cell.value("fallback_channel")
        rules[channel] = ChannelRule(
            channel, cell.enabled, int(cell.value("retry_count")), int(cell.value("retry_delay_minutes")),
            None if fallback in (None, NO_FALLBACK) else fallback, cell.value("template_override") or "",
            cell.locked_by is not None)
    return rules


def plan_shape(event: Event, cells: Mapping[str, ResolvedCell]) -> tuple[dict, list[dict]]:
    """The part of a plan that depends on the node only: the rules per channel and the planned
    attempts as minutes after the event fires (computed once per node and event)."""
    steps = [{"minutes": a.minutes, "channel": a.channel, "kind": a.kind, "number": a.number,
              "because_of": a.because_of} for a in delivery_plan(event, cells, datetime(2000, 1, 1))]
    return {channel: asdict(rule) for channel, rule in channel_rules(cells).items()}, steps


def plan_at(shape: tuple[dict, list[dict]], fire_at: datetime) -> dict:
    """A delivery's plan: the shape's rules, and its attempts with their times from `fire_at`."""
    channels, steps = shape
    return {"channels": channels,
            "attempts": [{**step, "at": (fire_at + timedelta(minutes=step["minutes"])).isoformat()}
                         for step in steps]}


def plan_snapshot(event: Event, cells: Mapping[str, ResolvedCell], fire_at: datetime) -> dict:
    """What a delivery records of its configuration: the rules per channel and the planned attempts
    (the preview's plan: every attempt failing, the longest schedule)."""
    return plan_at(plan_shape(event, cells), fire_at)


def rules_of(plan: Mapping) -> dict[str, ChannelRule]:
    return {channel: ChannelRule(**rule) for channel, rule in plan.get("channels", {}).items()}


def first_channels(event: Event, rules: Mapping[str, ChannelRule]) -> list[str]:
    """The channels whose first attempt goes out when the event fires (none for an inactive event)."""
    if not event.is_active:
        return []
    return [channel for channel in CHANNELS if channel in rules and rules[channel].enabled]


def after_failure(rules: Mapping[str, ChannelRule], chain: str, kind: str, number: int,
                  permanent: bool, now: datetime) -> Step | None:
    """The next attempt after attempt `number` of `chain` failed at `now`, or None (the chain failed)."""
    if kind == "fallback":
        return None  # a fallback has no retries and no fallback of its own
    rule = rules[chain]
    if not permanent and number - 1 < rule.retry_count:
        wait = timedelta(minutes=rule.retry_delay_minutes * 2 ** (number - 1))
        return Step("retry", chain, number + 1, now + wait)
    if rule.fallback and rule.fallback != chain:
        return Step("fallback", rule.fallback, 1, now)
    return None


def unreachable(channel: str, consents: Mapping[str, bool], email: str | None, phone: str | None,
                has_customer: bool) -> str | None:
    """Why `channel` may not or cannot be used for this recipient, or None."""
    if consents.get(channel) is not True:
        return f"no consent for {channel}"
    if channel == "email" and not email:
        return "no email address"
    if channel in ("sms", "whatsapp") and not phone:
        return "no phone number"
    if channel == "push" and not has_customer:
        return "no customer record for push"
    return None


def reachable_somehow(channels: Iterable[str], rules: Mapping[str, ChannelRule], consents: Mapping[str, bool],
                      email: str | None, phone: str | None, has_customer: bool) -> bool:
    """Whether any first attempt or its fallback could reach the recipient at all."""
    for channel in channels:
        fallback = rules[channel].fallback
        for candidate in (channel, fallback) if fallback else (channel,):
            if unreachable(candidate, consents, email, phone, has_customer) is None:
                return True
    return False


def delivery_status(attempts: Iterable[tuple[str, str]]) -> str:
    """A delivery's status from its attempts' (chain, status): pending while one is open; cancelled
    when its open attempts were cancelled; skipped when no chain could be attempted at all (no
    consent, no address); else sent when every attempted chain delivered (itself or through its
    fallback), failed when one did not. A chain only skipped is not a failure: nobody was let down."""
    by_chain: dict[str, list[str]] = {}
    for chain, status in attempts:
        by_chain.setdefault(chain, []).append(status)
    statuses = [status for chain in by_chain.values() for status in chain]
    if any(status in OPEN_ATTEMPTS for status in statuses):
        return "pending"
    tried = {chain: found for chain, found in by_chain.items() if any(s != "skipped" for s in found)}
    if not tried:
        return "skipped"
    if all(s in ("cancelled", "skipped") for found in tried.values() for s in found):
        return "cancelled"
    return "sent" if all("sent" in found for found in tried.values()) else "failed"


def reminder_fire_at(event: Event, starts_at: datetime) -> datetime | None:
    """When a reminder event fires for an appointment starting at `starts_at`."""
    if event.offset_hours is None:
        return None
    return starts_at + timedelta(hours=event.offset_hours)

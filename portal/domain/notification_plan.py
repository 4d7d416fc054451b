"""The delivery plan of one event on one node: which attempts go out when, if every attempt fails.

Rules (times are minutes after the event fires, t = 0):
- Every enabled channel makes its first attempt at t = 0.
- Retry n (n = 0, 1, …, retry_count − 1) of a channel waits retry_delay_minutes × 2^n after the
  previous attempt of that channel: with delay 5 and 3 retries, attempts at 0, 5, 15 and 35.
- The fallback fires when the last attempt of its channel has failed — at that attempt's time
  (a channel without retries falls back right after its first attempt). It is one attempt on
  the fallback channel with that channel's template for the event; it has no retries and no
  fallback of its own, so fallbacks never chain or loop.
- An event switched off in the catalog sends nothing.

The plan is a preview: it assumes each attempt fails at once, which is the longest schedule.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.domain.messages import M_
from portal.domain.notifications import CHANNELS, NO_FALLBACK, Event, ResolvedCell

SAMPLE_VALUES = {
    "customer_name": "Eva Schulz", "service_name": "Haircut", "staff_name": "Ben Schmidt",
    "branch_name": "Berlin Mitte", "price": "€35.00", "cancel_url": "https://portal.example/c/7Q2F",
    "fee": "€15.00", "reason": "Feeling unwell", "original_time": "Mon 09:30",
    "changes": "staff: Ben Schmidt → Clara Weber", "phone_number": "+49 151 10000007",
    "sla_deadline": "today 16:00", "callback_time": "today 15:30", "agent_name": "Alex Agent",
    "feedback_url": "https://portal.example/f/7Q2F", "amount": "€35.00", "payment_method": "card",
}
# The samples a German template is previewed with: what a German customer would read.
SAMPLE_VALUES_BY_LANGUAGE = {"en": SAMPLE_VALUES, "de": {
    **SAMPLE_VALUES, "service_name": "Haarschnitt", "price": "35,00 €", "fee": "15,00 €",
    "reason": "Fühle mich nicht wohl", "original_time": "Mo. 09:30",
    "changes": "Person: Ben Schmidt → Clara Weber", "sla_deadline": "heute 16:00",
    "callback_time": "heute 15:30", "amount": "35,00 €", "payment_method": "Karte",
}}


@dataclass(frozen=True)
class Attempt:
    """One planned message: when, on which channel, and why."""

    minutes: int  # after the event fires
    at: datetime
    channel: str
    kind: str  # first | retry | fallback
    number: int  # 1 for the first attempt, 2.. for retries; the fallback's is 1
    wait_minutes: int  # since the previous attempt of the same channel (0 for a first attempt)
    template: str  # "" means the standard template
    because_of: str | None = None  # the channel whose failure triggers a fallback


def channel_attempts(cell: ResolvedCell, start: datetime) -> list[Attempt]:
    """The first attempt and the retries of one enabled channel."""
    template = cell.value("template_override")
    attempts = [Attempt(0, start, cell.channel, "first", 1, 0, template)]
    delay, elapsed = cell.value("retry_delay_minutes"), 0
    for n in range(cell.value("retry_count")):
        wait = delay * 2 ** n
        elapsed += wait
        attempts.append(Attempt(elapsed, start + timedelta(minutes=elapsed), cell.channel,
                                "retry", n + 2, wait, template))
    return attempts


def delivery_plan(event: Event, cells: Mapping[str, ResolvedCell], start: datetime) -> list[Attempt]:
    """All attempts of `event` in time order, from the cells of one node (one per channel).

    At equal times, channels keep the catalog's channel order and a fallback follows the
    attempt whose failure triggers it.
    """
    if not event.is_active:
        return []
    planned = []
    for rank, channel in enumerate(CHANNELS):
        cell = cells.get(channel)
        if cell is None or not cell.enabled:
            continue
        attempts = channel_attempts(cell, start)
        planned += [(a.minutes, rank, order, a) for order, a in enumerate(attempts)]
        fallback = cell.value("fallback_channel")
        if fallback and fallback != NO_FALLBACK:
            last = attempts[-1]
            template = cells[fallback].value("template_override") if fallback in cells else ""
            planned.append((last.minutes, rank, len(attempts), Attempt(
                last.minutes, last.at, fallback, "fallback", 1, 0, template, because_of=channel)))
    return [attempt for *_, attempt in sorted(planned, key=lambda item: item[:3])]


def sample_appointment_start(now: datetime) -> datetime:
    """A sample appointment far enough ahead for every reminder, incl. the one a week before."""
    return (now + timedelta(days=8)).replace(hour=10, minute=0, second=0, microsecond=0)


def fires_at(event: Event, appointment_start: datetime, now: datetime) -> datetime:
    """When the event fires for the sample: now, or the catalog's offset from the appointment."""
    if event.offset_hours is None:
        return now.replace(second=0, microsecond=0)
    return appointment_start + timedelta(hours=event.offset_hours)


def sample_variables(event: Event, appointment_start: datetime, names: Mapping[str, str] | None = None,
                     language: str = "en", when: Callable[[datetime], str] | None = None) -> dict[str, str]:
    """The event's variables with sample values in `language`; `names` puts the node's own names in,
    `when` says the appointment's time as a customer of that language reads it."""
    start = when(appointment_start) if when else appointment_start.strftime("%a %d %b %Y, %H:%M")
    values = {**SAMPLE_VALUES_BY_LANGUAGE.get(language, SAMPLE_VALUES), **(names or {}), "starts_at": start}
    return {name: values.get(name, f"<{name}>") for name in event.variables}


def timing_text(event: Event) -> str:
    """"immediately", "24 h before the appointment", "1 h after the appointment"."""
    hours = event.offset_hours
    if hours is None:
        return M_("immediately")
    if abs(hours) == 168:
        if hours < 0:
            return M_("168 h (1 week) before the appointment")
        return M_("168 h (1 week) after the appointment")
    if hours < 0:
        return M_("%(hours)s h before the appointment", hours=abs(hours))
    return M_("%(hours)s h after the appointment", hours=abs(hours))

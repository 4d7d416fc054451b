"""Delivery rules: real attempts follow the plan the preview shows; fallbacks once; statuses."""
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.delivery import (
    after_failure,
    channel_rules,
    delivery_status,
    plan_snapshot,
    reachable_somehow,
    rules_of,
    unreachable,
)
from portal.domain.inheritance import LevelRow
from portal.domain.notification_plan import delivery_plan
from portal.domain.notifications import CHANNELS, Event, resolve_cell

CANCELLATION = Event("cancellation", "Appointment cancelled", None, "modification", ("email", "sms"), "", True)
T0 = datetime(2026, 5, 4, 9, 0)


def cells(**by_channel):
    return {channel: resolve_cell(CANCELLATION, channel,
                                  [LevelRow("company", 1, "Demo", by_channel[channel])] if channel in by_channel
                                  else [])
            for channel in CHANNELS}


def every_attempt_failing(rules, channel):
    """The attempts a worker makes on `channel` when every one fails temporarily, as minutes after t0."""
    made, kind, number, now = [], "first", 1, T0
    while True:
        made.append(((now - T0) // timedelta(minutes=1), kind, number))
        step = after_failure(rules, channel, kind, number, False, now)
        if step is None:
            return made
        kind, number, now = step.kind, step.number, step.due_at


@given(retries=st.integers(0, 10), delay=st.integers(1, 1440), fallback=st.sampled_from(["none", "email"]))
def test_real_retries_and_the_fallback_come_when_the_plan_preview_says(retries, delay, fallback):
    planned = cells(sms={"retry_count": retries, "retry_delay_minutes": delay, "fallback_channel": fallback},
                    email={"is_enabled": False})
    rules = rules_of(plan_snapshot(CANCELLATION, planned, T0))
    preview = [(a.minutes, a.kind, a.number) for a in delivery_plan(CANCELLATION, planned, T0)]
    assert every_attempt_failing(rules, "sms") == preview


def test_a_permanent_failure_skips_the_retries():
    rules = channel_rules(cells(sms={"retry_count": 5, "fallback_channel": "email"}))
    step = after_failure(rules, "sms", "first", 1, True, T0)
    assert (step.kind, step.channel, step.due_at) == ("fallback", "email", T0)


def test_a_fallback_never_falls_back_again():
    rules = channel_rules(cells(sms={"fallback_channel": "email"}, email={"fallback_channel": "sms"}))
    assert after_failure(rules, "sms", "fallback", 1, False, T0) is None


def test_no_consent_or_no_address_means_not_contacted():
    assert unreachable("sms", {"sms": False}, None, "+49", True) == "no consent for sms"
    assert unreachable("sms", {}, None, "+49", True) == "no consent for sms"  # never asked is not consent
    assert unreachable("email", {"email": True}, None, None, True) == "no email address"
    assert unreachable("email", {"email": True}, "a@b.test", None, True) is None
    rules = channel_rules(cells(sms={"fallback_channel": "email"}))
    assert reachable_somehow(["sms"], rules, {"email": True}, "a@b.test", None, True)
    assert not reachable_somehow(["sms"], rules, {}, "a@b.test", "+49", True)


def test_statuses_of_a_delivery():
    assert delivery_status([("email", "due")]) == "pending"
    assert delivery_status([("email", "sent"), ("sms", "failed"), ("sms", "sent")]) == "sent"  # via fallback
    assert delivery_status([("email", "sent"), ("sms", "failed")]) == "failed"
    assert delivery_status([("email", "sent"), ("whatsapp", "skipped")]) == "sent"  # nobody let down
    assert delivery_status([("sms", "skipped")]) == "skipped"
    assert delivery_status([("email", "cancelled"), ("sms", "skipped")]) == "cancelled"

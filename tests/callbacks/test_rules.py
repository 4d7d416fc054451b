"""Pure rules: SLA deadline, urgency and badge text, expiry, attempts, merging."""
from datetime import datetime, timedelta
from itertools import product

import pytest

from portal.domain.callbacks import (
    PRIORITIES,
    CallbackPolicy,
    can_merge_into,
    deadline_badge,
    format_duration,
    higher_priority,
    merged_notes,
    should_expire,
    sla_deadline,
    urgency,
)

NOW = datetime(2026, 11, 26, 12, 0)
DEFAULT = CallbackPolicy.from_config(None)


def test_defaults_are_the_designed_ones():
    assert DEFAULT.sla_minutes == {"urgent": 60, "high": 240, "normal": 1440}
    assert (DEFAULT.max_contact_attempts, DEFAULT.due_soon_minutes, DEFAULT.expire_after_hours) == (3, 30, None)


@pytest.mark.parametrize(("priority", "minutes"), [("urgent", 15), ("high", 90), ("normal", 600)])
def test_the_deadline_is_created_at_plus_the_sla_of_the_priority(priority, minutes):
    policy = CallbackPolicy.from_config({"sla_minutes_urgent": 15, "sla_minutes_high": 90, "sla_minutes_normal": 600})
    assert sla_deadline(NOW, priority, policy) == NOW + timedelta(minutes=minutes)


def test_unlimited_expiry_means_never():
    assert CallbackPolicy.from_config({"expire_after_hours": "unlimited"}).expire_after_hours is None


@pytest.mark.parametrize(("status", "minutes_left", "expected"), [
    ("pending", -1, "overdue"), ("contacted", -600, "overdue"), ("assigned", 0, "due_soon"),
    ("pending", 30, "due_soon"), ("pending", 31, "on_time"),
    ("completed", -60, "closed"), ("expired", -60, "closed"), ("cancelled", 10, "closed"),
])
def test_urgency(status, minutes_left, expected):
    assert urgency(status, NOW + timedelta(minutes=minutes_left), NOW, 30) == expected


@pytest.mark.parametrize(("minutes_left", "text"), [
    (23, "Due in 23 min"), (-65, "Overdue by 1 h 5 min"), (12, "Due soon: in 12 min"),
    (60 * 26 + 5, "Due in 1 d 2 h"), (-60 * 48, "Overdue by 2 d"), (-120, "Overdue by 2 h"),
    (0.5, "Due soon: in less than a minute"),
])
def test_badge_text_reads_without_colour(minutes_left, text):
    badge = deadline_badge("pending", NOW + timedelta(minutes=minutes_left), NOW, 15)  # due soon: 15 min
    assert badge.text == text


def test_a_completed_badge_says_whether_the_deadline_was_met():
    deadline = NOW - timedelta(hours=1)
    assert deadline_badge("completed", deadline, NOW, 30, deadline - timedelta(minutes=1)).text == "Completed in time"
    assert deadline_badge("completed", deadline, NOW, 30, deadline + timedelta(minutes=95)).text == (
        "Completed 1 h 35 min late")
    assert deadline_badge("cancelled", deadline, NOW, 30).text == "Cancelled"


def test_durations_round_down_to_whole_minutes():
    assert format_duration(timedelta(minutes=59, seconds=59)) == "59 min"
    assert format_duration(timedelta(hours=24)) == "1 d"


@pytest.mark.parametrize(("hours_past", "expires"), [(1.9, False), (2, True), (30, True)])
def test_expiry_after_expire_after_hours_past_the_deadline(hours_past, expires):
    policy = CallbackPolicy.from_config({"expire_after_hours": 2})
    deadline = NOW - timedelta(hours=hours_past)
    assert should_expire("assigned", deadline, NOW, policy) is expires
    assert should_expire("completed", deadline, NOW, policy) is False
    assert should_expire("pending", deadline, NOW, DEFAULT) is False


@pytest.mark.parametrize(("first", "second"), list(product(PRIORITIES, repeat=2)))
def test_merging_never_lowers_the_priority(first, second):
    merged = higher_priority(first, second)
    assert PRIORITIES.index(merged) == max(PRIORITIES.index(first), PRIORITIES.index(second))


@pytest.mark.parametrize(("status", "minutes_ago", "merges"), [
    ("pending", 30, True), ("assigned", 0, True), ("pending", 30.1, False), ("contacted", 1, False),
    ("completed", 1, False), ("cancelled", 1, False), ("expired", 1, False),
])
def test_merge_window(status, minutes_ago, merges):
    assert can_merge_into(status, NOW - timedelta(minutes=minutes_ago), NOW) is merges


def test_merged_notes_append_with_time_and_source():
    assert merged_notes("first", "second", NOW, "agent form") == "first\n[2026-11-26 12:00 UTC, agent form] second"
    assert merged_notes(None, "only", NOW, "API", "Europe/Berlin") == "[2026-11-26 13:00 CET, API] only"
    assert merged_notes("kept", None, NOW, "API") == "kept"

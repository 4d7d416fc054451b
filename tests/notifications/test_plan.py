"""The delivery plan page: a readable timeline of a node's attempts with the sample variables."""
import re

from tests.html import get
from tests.notifications.conftest import cell_url


def plan_text(client, level, entity_id, event_type):
    """The page's text as a person reads it."""
    return get(client, f"/notifications/{level}/{entity_id}/plan/{event_type}").text


def test_branch_override_shows_five_doubling_retries_then_the_fallback(client, world, add_cell):
    for channel in ("email", "whatsapp"):
        add_cell("company", world.company.id, "reminder_24h", channel, is_enabled=False)
    client.login(world.admin.email)
    client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"), {
        "version": "0", "mode_fallback_channel": "set", "value_fallback_channel": "email",
        "mode_retry_count": "set", "value_retry_count": "5"})
    text = plan_text(client, "staff", world.ann.id, "reminder_24h")
    stops = re.findall(r"(t \+ (?:0|[\w ]+?)) \w{3} \d\d \w{3}, \d\d:\d\d CES?T", text)  # Berlin time
    assert stops == ["t + 0", "t + 5 min", "t + 15 min", "t + 35 min", "t + 1 h 15 min", "t + 2 h 35 min"]
    assert "retry 5 of 5, 1 h 20 min after the previous attempt failed" in text
    assert "Email fallback sent once because all 6 attempts on SMS failed" in text
    assert text.index("retry 5 of 5") < text.index("because all 6 attempts")
    assert "SMS: 6 attempts at 0, 5, 15, 35, 75 and 155 min; then once on Email" in text


def test_reminder_fires_24_hours_before_the_sample_appointment(client, world):
    client.login(world.agent.email)
    text = plan_text(client, "company", world.company.id, "reminder_24h")
    # 10:00 UTC, shown in the company's zone (Berlin) — and the same in the sample variables.
    appointment = re.search(r"Sample appointment: (\w{3} \d\d \w{3} \d{4}, 1[12]:00) CES?T", text)
    assert appointment
    assert "fires 24 h before the appointment" in text
    assert f"{{{{ starts_at }}}} {appointment.group(1)}" in text
    assert "Not sent on: Push (off, default from the event catalog)" in text


def test_plan_lists_the_events_sample_variables(client, world):
    client.login(world.admin.email)
    text = plan_text(client, "branch", world.south.id, "callback_scheduled")
    for name in ("customer_name", "branch_name", "phone_number", "callback_time", "agent_name"):
        assert "{{ " + name + " }}" in text
    assert "{{ branch_name }} South" in text  # the node's own name


def test_no_channel_on_means_nothing_is_sent(client, world, add_cell):
    add_cell("branch", world.south.id, "payment_received", "email", is_enabled=False)
    client.login(world.admin.email)
    text = plan_text(client, "branch", world.south.id, "payment_received")
    assert "No channel is on for this event here: nothing is sent." in text

"""Notification rules: catalog defaults, precedence key by key, provenance, staff limits, locks,
validation and the delivery plan."""
from datetime import datetime

import pytest

from portal.domain.inheritance import LevelRow, Source
from portal.domain.notification_plan import (
    delivery_plan,
    fires_at,
    sample_appointment_start,
    sample_variables,
    timing_text,
)
from portal.domain.notifications import (
    CATALOG_DEFAULT,
    CHANNELS,
    Event,
    clean_settings,
    plan_enabled_change,
    provenance,
    resolve_cell,
)
from portal.models import CHANNELS as MODEL_CHANNELS

REMINDER = Event("reminder_24h", "Reminder 24 hours before", "Erinnerung 24 Stunden vorher",
                 "reminder", ("email", "sms", "whatsapp"), "One day before.", True,
                 ("customer_name", "starts_at", "cancel_url"), "before appointment", -24)
PAYMENT = Event("payment_received", "Payment received", "Zahlung erhalten", "system", ("email",),
                "Receipt.", True, ("amount",))
COMPANY = Source("company", 1, "Demo")


def company(**settings):
    return LevelRow("company", 1, "Demo", settings)


def branch(**settings):
    return LevelRow("branch", 10, "Mitte", settings)


def service(**settings):
    return LevelRow("service", 20, "Haircut", settings)


def staff(**settings):
    return LevelRow("staff", 30, "Anna", settings)


def value(rows, key, channel="sms", event=REMINDER, locked_by=None):
    return resolve_cell(event, channel, rows, locked_by).value(key)


# --- defaults from the catalog -------------------------------------------------------------

@pytest.mark.parametrize(("channel", "enabled"), [
    ("email", True), ("sms", True), ("whatsapp", True), ("push", False)])
def test_default_enabled_iff_channel_is_a_default_channel_of_the_event(channel, enabled):
    assert value([], "is_enabled", channel) is enabled


def test_inactive_event_is_off_on_every_channel_by_default():
    inactive = Event(**{**REMINDER.__dict__, "is_active": False})
    assert [value([], "is_enabled", channel, inactive) for channel in CHANNELS] == [False] * 4


def test_other_defaults_are_no_fallback_three_retries_five_minutes_standard_template():
    cell = resolve_cell(REMINDER, "email", [])
    assert [cell.value(key) for key in ("fallback_channel", "retry_count", "retry_delay_minutes",
                                        "template_override")] == ["none", 3, 5, ""]
    assert all(provenance(cell.values[key], "branch", 10) == CATALOG_DEFAULT for key in cell.values)


def test_domain_channels_are_the_models_channels():
    assert CHANNELS == MODEL_CHANNELS


# --- precedence, key by key ----------------------------------------------------------------

def test_company_wins_over_the_catalog():
    assert value([company(is_enabled=False)], "is_enabled") is False


def test_branch_wins_over_company():
    assert value([company(retry_count=1), branch(retry_count=5)], "retry_count") == 5


def test_service_wins_over_branch():
    rows = [branch(fallback_channel="email"), service(fallback_channel="push")]
    assert value(rows, "fallback_channel") == "push"


def test_staff_wins_over_service():
    assert value([service(is_enabled=True), staff(is_enabled=False)], "is_enabled") is False


def test_staff_wins_over_company_without_rows_between():
    rows = [company(template_override="acme/sms"), None, None, staff(template_override="anna/sms")]
    assert value(rows, "template_override") == "anna/sms"


def test_resolution_is_key_by_key_across_levels():
    rows = [staff(template_override="anna/sms"), company(retry_count=1, retry_delay_minutes=30),
            branch(retry_count=5, fallback_channel="email"), service(is_enabled=False)]
    cell = resolve_cell(REMINDER, "sms", rows)
    assert {key: (cell.value(key), cell.values[key].source.level) for key in cell.values} == {
        "is_enabled": (False, "service"), "fallback_channel": ("email", "branch"),
        "retry_count": (5, "branch"), "retry_delay_minutes": (30, "company"),
        "template_override": ("anna/sms", "staff")}


def test_explicit_none_fallback_drops_an_inherited_fallback():
    rows = [branch(fallback_channel="email"), staff(fallback_channel="none")]
    assert value(rows, "fallback_channel") == "none"


def test_standard_template_below_a_template_override_restores_the_standard():
    rows = [company(template_override="acme/sms"), branch(template_override="")]
    cell = resolve_cell(REMINDER, "sms", rows)
    assert cell.value("template_override") == ""
    assert cell.values["template_override"].source.level == "branch"


# --- provenance ----------------------------------------------------------------------------

def test_provenance_labels_as_seen_from_each_node():
    cell = resolve_cell(REMINDER, "sms", [company(retry_count=2),
                                          branch(retry_count=5, fallback_channel="email"),
                                          staff(fallback_channel="email")])
    assert provenance(cell.values["retry_count"], "branch", 10) == "overridden here"
    assert provenance(cell.values["retry_count"], "staff", 30) == "inherited from Branch Mitte"
    assert provenance(cell.values["fallback_channel"], "staff", 30) == "overrides, same value"
    assert provenance(cell.values["retry_delay_minutes"], "staff", 30) == CATALOG_DEFAULT
    assert provenance(resolve_cell(REMINDER, "sms", [company(retry_count=2)]).values["retry_count"],
                      "branch", 10) == "inherited from Company"


def test_setting_the_catalog_value_is_an_override_with_the_same_value():
    cell = resolve_cell(REMINDER, "sms", [branch(retry_count=3)])
    assert provenance(cell.values["retry_count"], "branch", 10) == "overrides, same value"


# --- staff restrictions --------------------------------------------------------------------

@pytest.mark.parametrize(("key", "typed"), [("retry_count", "5"), ("retry_delay_minutes", "10")])
def test_staff_may_not_set_retry_settings(key, typed):
    _, errors = clean_settings("staff", "sms", {key: typed, "is_enabled": "no"})
    assert "cannot be set for a staff member" in errors[key]


def test_staff_may_set_enabled_fallback_and_template():
    clean, errors = clean_settings("staff", "sms", {"is_enabled": "no", "fallback_channel": "email",
                                                    "template_override": "anna/sms"})
    assert errors == {}
    assert clean == {"is_enabled": False, "fallback_channel": "email",
                                      "template_override": "anna/sms"}


def test_retry_settings_on_a_staff_row_are_ignored_in_resolution():
    rows = [branch(retry_count=5), staff(retry_count=9, retry_delay_minutes=60)]
    cell = resolve_cell(REMINDER, "sms", rows)
    assert (cell.value("retry_count"), cell.value("retry_delay_minutes")) == (5, 5)


# --- the company lock ----------------------------------------------------------------------

def test_lock_ignores_a_lower_disable_and_says_whose():
    rows = [company(is_enabled=True), branch(is_enabled=False), staff(is_enabled=False)]
    cell = resolve_cell(REMINDER, "push", rows, locked_by=COMPANY)
    assert cell.enabled
    assert cell.values["is_enabled"].source.level == "company"
    assert cell.ignored == (Source("branch", 10, "Mitte"), Source("staff", 30, "Anna"))
    assert cell.locked_by == COMPANY


def test_without_a_lock_a_lower_level_disables():
    assert value([company(is_enabled=True), branch(is_enabled=False)], "is_enabled", "push") is False


def test_lock_leaves_other_keys_alone():
    rows = [company(is_enabled=True), branch(is_enabled=False, retry_count=7)]
    assert value(rows, "retry_count", locked_by=COMPANY) == 7


def test_a_branch_cannot_disable_a_locked_cell():
    _, errors = clean_settings("branch", "email", {"is_enabled": "no"}, locked_above=True)
    assert "Locked at company level" in errors["is_enabled"]


def test_a_branch_may_keep_a_locked_cell_on_or_change_its_other_keys():
    keep_on = {"is_enabled": "yes", "retry_count": "1"}
    assert clean_settings("branch", "email", keep_on, locked_above=True)[1] == {}


def test_only_the_company_level_locks():
    errors = clean_settings("branch", "email", {"is_enabled": "yes"}, lock=True)[1]
    assert "Only the company level" in errors["locked"]


def test_a_lock_needs_the_company_cell_switched_on():
    assert "must be on" in clean_settings("company", "email", {}, lock=True)[1]["locked"]
    errors = clean_settings("company", "email", {"is_enabled": "no"}, lock=True, inherited_enabled=True)[1]
    assert "must be on" in errors["locked"]
    assert clean_settings("company", "email", {"is_enabled": "yes"}, lock=True) == ({"is_enabled": True}, {})


def test_a_cell_on_by_the_catalog_locks_without_setting_enabled_again():
    assert clean_settings("company", "email", {}, lock=True, inherited_enabled=True) == ({}, {})


# --- validation ----------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "typed", "message"), [
    ("fallback_channel", "sms", "different channel than SMS"),
    ("fallback_channel", "fax", "must be email, sms, whatsapp, push or none"),
    ("retry_count", "-1", "from 0 to 10"), ("retry_count", "11", "from 0 to 10"),
    ("retry_count", "three", "from 0 to 10"), ("retry_count", "2.5", "from 0 to 10"),
    ("retry_delay_minutes", "0", "from 1 to 1440"), ("retry_delay_minutes", "1441", "from 1 to 1440"),
    ("retry_delay_minutes", "soon", "from 1 to 1440"),
    ("template_override", "Reminder SMS", "only lower-case letters"),
    ("template_override", "reminders/<b>", "only lower-case letters"),
    ("template_override", "a" * 256, "longer than 255"),
    ("template_override", "../secrets/sms", "cannot start with / or contain a .. step"),
    ("template_override", "/etc/sms", "cannot start with / or contain a .. step"),
    ("is_enabled", "perhaps", "yes or no"),
    ("parking", "1", "Unknown setting"),
])
def test_each_validation_rule_refuses_with_a_message(key, typed, message):
    clean, errors = clean_settings("branch", "sms", {key: typed})
    assert message in errors[key]
    assert key not in clean


@pytest.mark.parametrize(("key", "typed", "stored"), [
    ("fallback_channel", "email", "email"), ("fallback_channel", "none", "none"),
    ("retry_count", "0", 0), ("retry_count", "10", 10),
    ("retry_delay_minutes", "1", 1), ("retry_delay_minutes", "1440", 1440),
    ("template_override", "reminders/sms_short-v2.txt", "reminders/sms_short-v2.txt"),
    ("template_override", "a" * 255, "a" * 255), ("template_override", "", ""),
])
def test_values_at_the_edges_of_each_rule_are_accepted(key, typed, stored):
    assert clean_settings("branch", "sms", {key: typed}) == ({key: stored}, {})


# --- the delivery plan ---------------------------------------------------------------------

START = datetime(2026, 12, 3, 10, 0)


def plan(rows_by_channel, event=REMINDER, locked=()):
    cells = {channel: resolve_cell(event, channel, rows_by_channel.get(channel, []),
                                   COMPANY if channel in locked else None) for channel in CHANNELS}
    return [(a.minutes, a.channel, a.kind) for a in delivery_plan(event, cells, START)]


def test_catalog_defaults_send_each_default_channel_with_three_doubling_retries():
    attempts = plan({})
    assert [a for a in attempts if a[1] == "sms"] == [
        (0, "sms", "first"), (5, "sms", "retry"), (15, "sms", "retry"), (35, "sms", "retry")]
    assert {a[1] for a in attempts} == {"email", "sms", "whatsapp"}
    assert [a[0] for a in attempts] == sorted(a[0] for a in attempts)


def test_five_retries_then_the_fallback_after_the_last_one_fails():
    attempts = plan({"email": [company(is_enabled=False)], "whatsapp": [company(is_enabled=False)],
                     "sms": [branch(retry_count=5, fallback_channel="email")]})
    assert attempts == [(0, "sms", "first"), (5, "sms", "retry"), (15, "sms", "retry"), (35, "sms", "retry"),
                        (75, "sms", "retry"), (155, "sms", "retry"), (155, "email", "fallback")]


def test_no_retries_means_the_fallback_follows_the_first_attempt():
    only_push = {"email": [company(is_enabled=False)], "sms": [company(is_enabled=False)],
                 "whatsapp": [company(is_enabled=False)],
                 "push": [company(is_enabled=True, retry_count=0, fallback_channel="sms")]}
    assert plan(only_push) == [(0, "push", "first"), (0, "sms", "fallback")]


def test_delay_doubles_from_its_own_value():
    only_email = {"sms": [company(is_enabled=False)], "whatsapp": [company(is_enabled=False)],
                  "email": [company(retry_count=2, retry_delay_minutes=60)]}
    assert plan(only_email) == [(0, "email", "first"), (60, "email", "retry"), (180, "email", "retry")]


def test_attempt_times_are_the_start_plus_the_minutes():
    cells = {channel: resolve_cell(PAYMENT, channel, []) for channel in CHANNELS}
    assert [a.at for a in delivery_plan(PAYMENT, cells, START)] == [
        datetime(2026, 12, 3, 10, 0), datetime(2026, 12, 3, 10, 5), datetime(2026, 12, 3, 10, 15),
        datetime(2026, 12, 3, 10, 35)]


def test_fallback_uses_the_template_of_the_fallback_channel():
    cells = {channel: resolve_cell(PAYMENT, channel, rows) for channel, rows in {
        "email": [company(retry_count=0, fallback_channel="sms")],
        "sms": [company(template_override="pay/sms")],
        "whatsapp": [], "push": []}.items()}
    fallback = delivery_plan(PAYMENT, cells, START)[-1]
    assert (fallback.kind, fallback.channel, fallback.template, fallback.because_of) == (
        "fallback", "sms", "pay/sms", "email")


def test_a_locked_cell_sends_even_where_a_branch_switched_it_off():
    rows = {"push": [company(is_enabled=True, retry_count=0), branch(is_enabled=False)]}
    assert (0, "push", "first") in plan(rows, locked=("push",))
    assert (0, "push", "first") not in plan(rows)


def test_an_inactive_event_sends_nothing():
    assert plan({}, event=Event(**{**REMINDER.__dict__, "is_active": False})) == []


def test_reminders_fire_at_their_offset_and_immediate_events_now():
    now = datetime(2026, 11, 26, 14, 37, 12)
    appointment = sample_appointment_start(now)
    assert appointment == datetime(2026, 12, 4, 10, 0)
    assert fires_at(REMINDER, appointment, now) == datetime(2026, 12, 3, 10, 0)
    assert fires_at(PAYMENT, appointment, now) == datetime(2026, 11, 26, 14, 37)
    week = Event(**{**REMINDER.__dict__, "offset_hours": -168})
    assert fires_at(week, appointment, now) > now  # the sample is far enough ahead for every reminder
    assert timing_text(REMINDER) == "24 h before the appointment"
    assert timing_text(PAYMENT) == "immediately"


def test_sample_variables_cover_every_variable_of_the_event_with_the_nodes_names():
    values = sample_variables(REMINDER, datetime(2026, 12, 4, 10, 0), {"customer_name": "Eva"})
    assert list(values) == ["customer_name", "starts_at", "cancel_url"]
    assert values["customer_name"] == "Eva"
    assert values["starts_at"] == "Fri 04 Dec 2026, 10:00"


# --- bulk changes ----------------------------------------------------------------------------

def _cell(rows=(), lock=None, channel="sms"):
    return resolve_cell(EVENT_FOR_BULK, channel, list(rows), lock)


EVENT_FOR_BULK = Event("reminder_24h", "Reminder", None, "reminder", ("email", "sms"), "", True)


def test_bulk_off_sets_enabled_here_and_keeps_the_rest():
    change = plan_enabled_change(_cell(), {"retry_count": 2}, "branch", False, "off")
    assert (change.settings, change.before, change.after, change.refusal) == (
        {"retry_count": 2, "is_enabled": False}, True, False, None)


def test_bulk_does_nothing_where_the_node_already_sets_it():
    assert plan_enabled_change(_cell(), {"is_enabled": False}, "branch", False, "off") is None
    assert plan_enabled_change(_cell(), {}, "branch", False, "inherit") is None


def test_bulk_inherit_shows_what_the_cell_inherits():
    rows = [LevelRow("branch", 2, "North", {"is_enabled": False})]
    change = plan_enabled_change(_cell(rows), {"is_enabled": False}, "branch", False, "inherit")
    assert (change.settings, change.after) == ({}, True)  # back to the catalog's "on"


def test_bulk_off_below_a_company_lock_is_refused():
    change = plan_enabled_change(_cell(lock=Source("company", 1, "Acme")), {}, "staff", False, "off")
    assert change.refusal == "locked on by the company: it cannot be switched off here"
    assert change.after is True

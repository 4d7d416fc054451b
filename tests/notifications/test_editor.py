"""The cell editor: saving, inherited values, validation, staff restrictions, the lock, resets,
stale edits and the audit log."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.html import parse
from tests.notifications.conftest import (
    audit_count,
    cell_url,
    editor_row,
    matrix_cell,
    node_url,
    row_count,
    shown,
    state,
    stored_cell,
)

OVERRIDE_SMS = {"version": "0", "mode_fallback_channel": "set", "value_fallback_channel": "email",
                "mode_retry_count": "set", "value_retry_count": "5"}


def test_branch_override_is_saved_audited_and_shown(app, client, world):
    client.login(world.admin.email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"), OVERRIDE_SMS)
    assert response.status_code == 302
    assert response.location.endswith(f"/notifications/branch/{world.north.id}#cell-reminder_24h-sms")
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms") == (
        {"fallback_channel": "email", "retry_count": 5}, False, 1)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        assert (event.actor_id, event.action, event.entity_type, event.entity_id) == (
            world.admin.id, "create", "notification:branch", world.north.id)
        assert event.before == {"event_type": "reminder_24h", "channel": "sms", "settings": {},
                                "locked": False}
        assert event.after["settings"] == {"fallback_channel": "email", "retry_count": 5}
    page = client.get(node_url("branch", world.north.id)).get_data(as_text=True)
    assert "Saved: Reminder 24 hours before by SMS at North." in parse(page).one(data_flash="success").text
    cell = matrix_cell(page, "reminder_24h", "sms")
    for key in ("fallback_channel", "retry_count"):
        assert shown(cell, key)[1:] == ("here", "overridden here")


def test_editor_shows_the_inherited_value_beside_each_input(client, world, add_cell):
    add_cell("company", world.company.id, "reminder_24h", "sms", retry_count=2, retry_delay_minutes=30)
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=6)
    client.login(world.admin.email)
    page = parse(client.get(cell_url("branch", world.north.id, "reminder_24h", "sms")).get_data(as_text=True))
    retries = editor_row(page, "retry_count")
    assert retries.one(data_inherited=True).text == "2 from Company"  # what it would inherit
    assert retries.field_value("value_retry_count") == "6"
    assert retries.one(data_provenance=True).text == "● overridden here"
    delay = editor_row(page, "retry_delay_minutes")
    assert delay.one(data_inherited=True).text == "30 min from Company"
    assert delay.one(data_provenance=True)["data-provenance"] == "inherited"
    assert "inherited from Company" in delay.one(data_effective=True).text
    assert delay["data-mode"] == "inherit"
    assert "checked" in delay.one(name="mode_retry_delay_minutes", value="inherit").attrs


@pytest.mark.parametrize(("key", "typed", "message"), [
    ("fallback_channel", "sms", "different channel than SMS itself"),
    ("fallback_channel", "pigeon", "must be email, sms, whatsapp, push or none"),
    ("retry_count", "11", "from 0 to 10"),
    ("retry_count", "-1", "from 0 to 10"),
    ("retry_delay_minutes", "0", "from 1 to 1440"),
    ("retry_delay_minutes", "1441", "from 1 to 1440"),
    ("template_override", "Reminders/SMS!", "only lower-case letters"),
    ("template_override", "x" * 256, "longer than 255"),
    ("is_enabled", "maybe", "yes or no"),
    ("retry_count", "", "Choose a value, or Inherit."),
])
def test_invalid_value_is_refused_beside_its_field_and_nothing_is_saved(app, client, world, add_cell,
                                                                         key, typed, message):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=4)
    before, audits = stored_cell(app, "branch", world.north.id, "reminder_24h", "sms"), audit_count(app)
    client.login(world.admin.email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"), {
        "version": "1", "mode_retry_delay_minutes": "set", "value_retry_delay_minutes": "15",
        f"mode_{key}": "set", f"value_{key}": typed})
    assert response.status_code == 400
    row = editor_row(response.get_data(as_text=True), key)
    control = row.one(name=f"value_{key}")
    assert control.get("aria-invalid") == "true"  # beside its own field, which points at the message
    assert message in row.one(id=control["aria-describedby"]).text
    if key in ("retry_count", "retry_delay_minutes", "template_override"):
        assert row.field_value(f"value_{key}") == typed  # what the person typed is still there
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms") == before
    assert audit_count(app) == audits


def test_staff_editor_offers_only_enabled_fallback_and_template(client, world):
    client.login(world.admin.email)
    page = parse(client.get(cell_url("staff", world.ann.id, "reminder_24h", "sms")).get_data(as_text=True))
    for key in ("is_enabled", "fallback_channel", "template_override"):
        assert page.find_all("input", name=f"mode_{key}")
    for key in ("retry_count", "retry_delay_minutes"):
        assert not page.find_all(name=f"mode_{key}")
        assert not page.find_all(name=f"value_{key}")
        assert "retries are a business rule" in editor_row(page, key).text


@pytest.mark.parametrize("crafted", [
    {"mode_retry_count": "set", "value_retry_count": "9"},
    {"value_retry_delay_minutes": "60"},
    {"mode_retry_delay_minutes": "set", "value_retry_delay_minutes": "60", "mode_is_enabled": "set",
     "value_is_enabled": "no"},
])
def test_crafted_staff_post_with_retry_fields_is_refused_and_nothing_saved(app, client, world, crafted):
    client.login(world.admin.email)
    allowed = {"version": "0", "mode_fallback_channel": "set", "value_fallback_channel": "email"}
    response = client.submit(cell_url("staff", world.ann.id, "reminder_24h", "sms"), {**allowed, **crafted})
    assert response.status_code == 400
    assert "cannot be set for a staff member" in response.get_data(as_text=True)
    assert row_count(app) == 0
    assert audit_count(app) == 0


def test_staff_may_change_their_preferences(app, client, world):
    client.login(world.admin.email)
    response = client.submit(cell_url("staff", world.ann.id, "reminder_24h", "sms"), {
        "version": "0", "mode_is_enabled": "set", "value_is_enabled": "no",
        "mode_template_override": "set", "value_template_override": "staff/ann_sms"})
    assert response.status_code == 302
    assert stored_cell(app, "staff", world.ann.id, "reminder_24h", "sms")[0] == {
        "is_enabled": False, "template_override": "staff/ann_sms"}


def test_admin_locks_a_company_cell_and_a_branch_cannot_switch_it_off(app, client, world):
    client.login(world.admin.email)
    response = client.submit(cell_url("company", world.company.id, "booking_confirmed", "email"), {
        "version": "0", "mode_is_enabled": "set", "value_is_enabled": "yes", "locked": "1"})
    assert response.status_code == 302
    assert stored_cell(app, "company", world.company.id, "booking_confirmed", "email") == (
        {"is_enabled": True}, True, 1)
    editor = client.get(cell_url("branch", world.north.id, "booking_confirmed", "email"))
    editor = parse(editor.get_data(as_text=True))
    assert "Locked on at company level" in editor.text
    choices = editor.one("select", name="value_is_enabled").find_all("option")
    assert [option["value"] for option in choices] == ["", "yes"]  # "no" is not offered
    response = client.submit(cell_url("branch", world.north.id, "booking_confirmed", "email"),
                             {"version": "0", "mode_is_enabled": "set", "value_is_enabled": "no"})  # crafted
    assert response.status_code == 400
    assert "Locked at company level" in response.get_data(as_text=True)
    assert stored_cell(app, "branch", world.north.id, "booking_confirmed", "email") is None


def test_a_lock_needs_the_company_cell_on_and_is_refused_below_the_company(app, client, world):
    client.login(world.admin.email)
    response = client.submit(cell_url("company", world.company.id, "booking_pending", "sms"),
                             {"version": "0", "locked": "1"})  # SMS is not a default channel: off
    assert response.status_code == 400
    assert "A locked channel must be on" in response.get_data(as_text=True)
    response = client.submit(cell_url("branch", world.north.id, "booking_confirmed", "email"), {
        "version": "0", "mode_is_enabled": "set", "value_is_enabled": "yes", "locked": "1"})
    assert response.status_code == 400
    assert "Only the company level can lock" in response.get_data(as_text=True)
    assert row_count(app) == 0


def test_template_can_be_set_back_to_the_standard_below_a_parent_override(app, client, world, add_cell):
    add_cell("company", world.company.id, "no_show", "email", template_override="acme/no_show")
    client.login(world.admin.email)
    client.submit(cell_url("branch", world.north.id, "no_show", "email"),
                  {"version": "0", "mode_template_override": "standard"})
    assert stored_cell(app, "branch", world.north.id, "no_show", "email")[0] == {"template_override": ""}
    page = client.get(node_url("branch", world.north.id)).get_data(as_text=True)
    cell = matrix_cell(page, "no_show", "email")
    assert shown(cell, "template_override")[:2] == ("standard", "here")
    assert "acme/no_show" not in cell.text


def test_reset_one_key_keeps_the_others(app, client, world, add_cell):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=5, fallback_channel="email")
    client.login(world.admin.email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"),
                             {"action": "reset_key", "key": "retry_count", "version": "1"})
    assert response.status_code == 302
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms") == (
        {"fallback_channel": "email"}, False, 2)


def test_reset_whole_cell_inherits_everything_and_keeps_its_history(app, client, world, add_cell):
    add_cell("company", world.company.id, "reminder_24h", "sms", locked=True, is_enabled=True, retry_count=1)
    client.login(world.admin.email)
    response = client.submit(cell_url("company", world.company.id, "reminder_24h", "sms"),
                             {"action": "reset_cell", "version": "1"})
    assert response.status_code == 302
    assert stored_cell(app, "company", world.company.id, "reminder_24h", "sms") == ({}, False, 2)
    page = client.get(node_url("company", world.company.id)).get_data(as_text=True)
    cell = matrix_cell(page, "reminder_24h", "sms")
    assert cell.find(data_lock=True) is None
    assert "locked" not in cell.text
    assert state(cell)[1] == shown(cell, "retry_count")[2] == "default from the event catalog"
    # The row stays, and so does its last change.
    assert cell.one(data_last_changed=True)["data-last-changed"] == world.admin.name
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action)) == "reset_cell"


def test_resetting_the_enabled_key_of_a_locked_company_cell_is_refused(app, client, world, add_cell):
    add_cell("company", world.company.id, "reminder_24h", "push", locked=True, is_enabled=True)
    client.login(world.admin.email)  # push is not a default channel of the event: it would go off
    response = client.submit(cell_url("company", world.company.id, "reminder_24h", "push"),
                             {"action": "reset_key", "key": "is_enabled", "version": "1"})
    assert response.status_code == 400
    assert "unlock it" in response.get_data(as_text=True)
    assert stored_cell(app, "company", world.company.id, "reminder_24h", "push") == (
        {"is_enabled": True}, True, 1)


def test_a_channel_already_on_by_the_catalog_can_be_locked_as_it_is(app, client, world):
    client.login(world.admin.email)
    response = client.submit(cell_url("company", world.company.id, "booking_confirmed", "email"),
                             {"version": "0", "locked": "1"})  # Enabled left on "inherit"
    assert response.status_code == 302
    assert stored_cell(app, "company", world.company.id, "booking_confirmed", "email") == ({}, True, 1)
    staff = matrix_cell(client.get(node_url("staff", world.ann.id)).get_data(as_text=True),
                        "booking_confirmed", "email")
    assert staff.one(data_lock=True)["data-lock"] == "company"


def test_second_editor_gets_409_with_who_changed_it_and_keeps_their_input(app, client, world, make, add_cell):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=4)
    other_admin = make.user(world.company, "admin")
    other = app.test_client()
    other.login(other_admin.email)
    client.login(world.admin.email)
    assert other.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"), {
        "version": "1", "mode_retry_count": "set", "value_retry_count": "7"}).status_code == 302
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"), {
        "version": "1", "mode_retry_count": "set", "value_retry_count": "2"})
    page = parse(response.get_data(as_text=True))
    assert response.status_code == 409
    conflict = page.one("section", role="alert")
    assert other_admin.name in conflict.text
    assert "retry_count = 7" in conflict.text
    editor = page.one("form", id="cell-editor")
    assert editor.field_value("value_retry_count") == "2"
    assert editor.field_value("version") == "2"
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms") == ({"retry_count": 7}, False, 2)


def test_stale_reset_and_stale_create_are_refused(app, client, world, add_cell):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=4)
    client.login(world.admin.email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"),
                             {"action": "reset_cell", "version": "3"})
    assert response.status_code == 409
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"), {
        "version": "0", "mode_retry_count": "set", "value_retry_count": "1"})  # opened before it existed
    assert response.status_code == 409
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms") == ({"retry_count": 4}, False, 1)


def test_missing_version_is_a_400_and_saves_nothing(app, client, world):
    client.login(world.admin.email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"),
                             {"mode_retry_count": "set", "value_retry_count": "1"})
    assert response.status_code == 400
    assert "missing its version" in response.get_data(as_text=True)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"),
                             {"action": "reset_cell", "version": "x"})
    assert response.status_code == 400
    assert row_count(app) == 0


def test_unknown_setting_in_a_crafted_post_is_refused(app, client, world):
    client.login(world.admin.email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"),
                             {"version": "0", "mode_priority": "set", "value_priority": "high"})
    assert response.status_code == 400
    assert "Unknown setting" in response.get_data(as_text=True)
    assert row_count(app) == 0


def test_saving_unchanged_settings_adds_no_version_and_no_audit(app, client, world, add_cell):
    add_cell("branch", world.north.id, "reminder_24h", "sms", retry_count=4)
    client.login(world.admin.email)
    response = client.submit(cell_url("branch", world.north.id, "reminder_24h", "sms"),
                             {"version": "1", "mode_retry_count": "set", "value_retry_count": "4"})
    assert response.status_code == 302
    assert stored_cell(app, "branch", world.north.id, "reminder_24h", "sms")[2] == 1
    assert audit_count(app) == 0


def test_every_change_is_listed_under_recent_changes(client, world):
    client.login(world.admin.email)
    url = cell_url("branch", world.north.id, "reminder_24h", "sms")
    client.submit(url, {"version": "0", "mode_retry_count": "set", "value_retry_count": "5"})
    client.submit(url, {"version": "1", "mode_retry_count": "set", "value_retry_count": "6"})
    page = parse(client.get(node_url("branch", world.north.id)).get_data(as_text=True))
    changes = page.one("section", aria_labelledby="changes-title").text
    assert changes.count(world.admin.email) == 2
    assert "retry_count = 5" in changes
    assert "retry_count = 6" in changes

"""The node editor: saving, validation, resets, stale edits, impact preview, history."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, PolicyConfiguration
from tests.html import parse
from tests.policies.conftest import editor_page, editor_url, effective


def live_config(app, level, entity_id, policy_type="cancellation"):
    with app.app_context():
        row = db.session.scalar(select(PolicyConfiguration).where(
            PolicyConfiguration.configurable_type == level, PolicyConfiguration.configurable_id == entity_id,
            PolicyConfiguration.policy_type == policy_type, PolicyConfiguration.live.is_(True)))
        return None if row is None else (row.config, row.version)


def audit_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def test_branch_override_is_saved_and_shown_as_overridden_here(app, client, world, add_row):
    add_row("company", world.company.id, {"hours_before": 24})
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id), {
        "version": "0", "action": "save", "mode_hours_before": "override", "value_hours_before": "48"})
    assert response.status_code == 302
    assert live_config(app, "branch", world.north.id) == ({"hours_before": 48}, 1)
    page = editor_page(client, "branch", world.north.id)
    assert effective(page, "hours_before") == ("48 h", "here", "overridden here")
    inherited = page.one("tr", data_setting="hours_before").one(data_inherited=True)
    assert inherited.text.startswith("24 h from Company")
    service_page = editor_page(client, "service", world.cut.id)  # a service row's path skips branches
    assert effective(service_page, "hours_before") == ("24 h", "inherited", "inherited from Company")


def test_same_value_as_parent_is_labelled_overrides_same_value(app, client, world, add_row):
    add_row("company", world.company.id, {"hours_before": 24})
    add_row("branch", world.north.id, {"hours_before": 24})
    client.login(world.admin.email)
    assert effective(editor_page(client, "branch", world.north.id), "hours_before")[1:] == (
        "same", "overrides, same value")


@pytest.mark.parametrize(("key", "typed", "message"), [
    ("hours_before", "-5", "Hours before must be a whole number of 0 or more"),
    ("fee_percentage", "150", "between 0 and 100"),
    ("hours_before", "soon", "Hours before must be a whole number"),
    ("require_reason", "perhaps", "Require reason"),
    ("fee_tiers", "24 hours: ten euros", "Fee tiers: line 1"),
    ("fee_tiers", '[{"fee": "5.00"}]', "Fee tiers"),
    ("fee_tiers", "24 h: 10.00\n24 h: 5.00", "same min hours"),
    ("fee", "", "Enter a value, or choose Inherit."),
])
def test_invalid_value_rerenders_with_message_and_saves_nothing(app, client, world, add_row,
                                                                 key, typed, message):
    add_row("branch", world.north.id, {"hours_before": 12})
    before = live_config(app, "branch", world.north.id)
    audits = audit_count(app)
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id), {
        "version": "1", "action": "save", "mode_hours_before": "override", "value_hours_before": "6",
        f"mode_{key}": "override", f"value_{key}": typed})
    page = parse(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in page.text
    editor = page.one("form", id="policy-editor")
    assert editor.one(name=f"value_{key}").get("aria-invalid") == "true"
    if key != "require_reason":  # a select shows its options, not free text
        # What the person typed is still there.
        assert typed.split("\n")[0] in editor.field_value(f"value_{key}")
    assert live_config(app, "branch", world.north.id) == before
    assert audit_count(app) == audits


def test_unknown_key_in_a_crafted_post_is_refused(app, client, world):
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id), {
        "version": "0", "action": "save", "mode_parking_fee": "override", "value_parking_fee": "3"})
    assert response.status_code == 400
    message = "Unknown setting 'parking_fee' for cancellation policies"
    assert message in parse(response.get_data(as_text=True)).text
    assert live_config(app, "branch", world.north.id) is None


def test_no_limit_is_stored_as_unlimited(app, client, world, add_row):
    add_row("company", world.company.id, {"max_cancellations_per_month": 3})
    client.login(world.admin.email)
    client.submit(editor_url("staff", world.ann.id), {
        "version": "0", "action": "save", "mode_max_cancellations_per_month": "unlimited"})
    assert live_config(app, "staff", world.ann.id)[0] == {"max_cancellations_per_month": "unlimited"}


def test_reset_one_key_keeps_the_others(app, client, world, add_row):
    add_row("branch", world.north.id, {"hours_before": 48, "fee": "5.00"})
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id),
                             {"action": "reset_key", "key": "hours_before", "version": "1", "confirmed": "yes"})
    assert response.status_code == 302
    assert live_config(app, "branch", world.north.id) == ({"fee": "5.00"}, 2)


def test_reset_of_a_key_first_shows_the_same_impact_preview_as_a_change(app, client, world, add_row):
    add_row("company", world.company.id, {"hours_before": 24})
    add_row("branch", world.north.id, {"hours_before": 48, "fee": "5.00"})
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id),
                             {"action": "reset_key", "key": "hours_before", "version": "1"})
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    impact = page.one("section", data_impact="reset")
    assert impact.one(data_impact_changed=True)["data-impact-changed"] == "6"  # North, its 2 services, 3 staff nodes
    assert "Hours before 48 h → 24 h" in impact.text  # labels and shown values, not raw keys
    assert live_config(app, "branch", world.north.id) == ({"hours_before": 48, "fee": "5.00"}, 1)
    confirm = impact.one("form")
    assert {field["name"]: field["value"] for field in confirm.find_all("input")} | {"csrf_token": ""} == {
        "csrf_token": "", "action": "reset_key", "key": "hours_before", "version": "1", "confirmed": "yes"}


def test_reset_of_a_whole_row_previews_its_impact_then_resets(app, client, world, add_row):
    add_row("branch", world.north.id, {"hours_before": 48})
    client.login(world.admin.email)
    preview = client.submit(editor_url("branch", world.north.id), {"action": "reset_row", "version": "1"})
    assert parse(preview.get_data(as_text=True)).one("section", data_impact="reset")
    assert live_config(app, "branch", world.north.id) == ({"hours_before": 48}, 1)
    done = client.submit(editor_url("branch", world.north.id),
                         {"action": "reset_row", "version": "1", "confirmed": "yes"})
    assert done.status_code == 302
    assert live_config(app, "branch", world.north.id) is None


def test_staff_level_reset_needs_no_preview(app, client, world, add_row):
    add_row("staff", world.ann.id, {"hours_before": 2})
    client.login(world.admin.email)
    response = client.submit(editor_url("staff", world.ann.id), {"action": "reset_row", "version": "1"})
    assert response.status_code == 302
    assert live_config(app, "staff", world.ann.id) is None


def test_reset_whole_row_retires_it_and_values_are_inherited_again(app, client, world, add_row):
    add_row("company", world.company.id, {"hours_before": 24})
    add_row("branch", world.north.id, {"hours_before": 48, "fee": "5.00"})
    client.login(world.admin.email)
    client.submit(editor_url("branch", world.north.id), {"action": "reset_row", "version": "1", "confirmed": "yes"})
    assert live_config(app, "branch", world.north.id) is None
    with app.app_context():
        retired = db.session.scalar(select(PolicyConfiguration).where(PolicyConfiguration.live.is_(None)))
        assert retired.deleted_at is not None
        assert retired.config == {"hours_before": 48, "fee": "5.00"}
    assert effective(editor_page(client, "branch", world.north.id), "hours_before")[1:] == (
        "inherited", "inherited from Company")


def test_second_editor_of_one_row_gets_409_with_who_changed_it(app, client, world, make, add_row):
    add_row("branch", world.north.id, {"hours_before": 12})
    second_admin = make.user(world.company, "admin")
    other = app.test_client()
    other.login(second_admin.email)
    client.login(world.admin.email)
    # Both opened version 1; the other admin saves first.
    assert other.submit(editor_url("branch", world.north.id), {
        "version": "1", "action": "save", "mode_hours_before": "override", "value_hours_before": "36"}
    ).status_code == 302
    response = client.submit(editor_url("branch", world.north.id), {
        "version": "1", "action": "save", "mode_hours_before": "override", "value_hours_before": "72"})
    page = parse(response.get_data(as_text=True))
    assert response.status_code == 409
    conflict = page.one("section", role="alert").text
    assert second_admin.name in conflict
    assert "Hours before: 36" in conflict  # the setting as people name it, not its key
    editor = page.one("form", id="policy-editor")
    assert editor.field_value("value_hours_before") == "72"  # nothing the user typed is lost
    assert editor.field_value("version") == "2"  # saving again deliberately replaces theirs
    assert live_config(app, "branch", world.north.id) == ({"hours_before": 36}, 2)


def test_stale_reset_is_refused_too(app, client, world, add_row):
    add_row("branch", world.north.id, {"hours_before": 12})
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id), {"action": "reset_row", "version": "7"})
    assert response.status_code == 409
    assert live_config(app, "branch", world.north.id)[0] == {"hours_before": 12}


def test_missing_version_is_a_400(app, client, world):
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id), {
        "action": "save", "mode_hours_before": "override", "value_hours_before": "5"})
    assert response.status_code == 400
    assert live_config(app, "branch", world.north.id) is None


def test_impact_preview_counts_changed_nodes_and_kept_overrides(app, client, world, add_row):
    add_row("staff", world.ann.id, {"hours_before": 2})
    client.login(world.admin.email)
    response = client.submit(editor_url("branch", world.north.id), {
        "version": "0", "action": "preview", "mode_hours_before": "override", "value_hours_before": "48"})
    impact = parse(response.get_data(as_text=True)).one("section", aria_labelledby="impact-title").text
    assert response.status_code == 200
    # North, its services Cut and Dye, Bob under Cut: 4 change. Ann (under Cut and Dye) keeps hers.
    assert "4 nodes would get different effective values" in impact
    assert "2 keep their own override" in impact
    assert live_config(app, "branch", world.north.id) is None  # a preview saves nothing


def test_every_change_lands_in_the_audit_log_and_the_history_page(app, client, world):
    client.login(world.admin.email)
    client.submit(editor_url("branch", world.north.id), {
        "version": "0", "action": "save", "mode_hours_before": "override", "value_hours_before": "48"})
    client.submit(editor_url("branch", world.north.id), {
        "version": "1", "action": "save", "mode_hours_before": "override", "value_hours_before": "24"})
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.before, e.after) for e in events] == [
            ("create", {"config": {}}, {"config": {"hours_before": 48}}),
            ("update", {"config": {"hours_before": 48}}, {"config": {"hours_before": 24}}),
        ]
        assert all(e.actor_id == world.admin.id for e in events)
    page = parse(client.get(editor_url("branch", world.north.id) + "/history").get_data(as_text=True)).text
    assert page.count(world.admin.email) == 2
    assert "Hours before: 48" in page


def test_override_links_follow_the_rows(app, client, world, add_row):
    company_row = add_row("company", world.company.id, {"hours_before": 24})
    client.login(world.admin.email)
    client.submit(editor_url("branch", world.north.id), {
        "version": "0", "action": "save", "mode_fee": "override", "value_fee": "5.00"})
    with app.app_context():
        branch_row = db.session.scalar(select(PolicyConfiguration).where(
            PolicyConfiguration.configurable_type == "branch", PolicyConfiguration.live.is_(True)))
        assert (branch_row.is_override, branch_row.overrides_id) == (False, None)  # no shared key
    client.submit(editor_url("company", world.company.id), {
        "version": "1", "action": "save", "mode_hours_before": "override", "value_hours_before": "24",
        "mode_fee": "override", "value_fee": "9.00"})
    with app.app_context():
        branch_row = db.session.get(PolicyConfiguration, branch_row.id)
        assert (branch_row.is_override, branch_row.overrides_id) == (True, company_row)
        assert branch_row.version == 1  # relinking did not bump its version


def test_service_opened_from_under_a_branch_shows_what_the_tree_shows(client, world, add_row):
    add_row("company", world.company.id, {"hours_before": 24})
    add_row("branch", world.north.id, {"hours_before": 48})
    client.login(world.admin.email)
    tree = parse(client.get(f"/policies/?type=cancellation&branch={world.north.id}").get_data(as_text=True))
    link = f"/policies/cancellation/service/{world.cut.id}?branch={world.north.id}"
    assert link in tree.links()
    page = parse(client.get(link).get_data(as_text=True))
    assert effective(page, "hours_before")[2] == "inherited from Branch North"
    assert "as seen under North" in page.text
    plain = parse(client.get(f"/policies/cancellation/service/{world.cut.id}").get_data(as_text=True))
    assert effective(plain, "hours_before")[2] == "inherited from Company"
    assert "inherited from Branch" not in plain.text


def test_context_of_another_company_is_ignored(client, world, make, add_row):
    stranger = make.world()
    add_row("branch", world.north.id, {"hours_before": 48})
    client.login(world.admin.email)
    page = client.get(f"/policies/cancellation/service/{world.cut.id}?branch={stranger.north.id}")
    assert page.status_code == 200
    assert "inherited from Branch" not in parse(page.get_data(as_text=True)).text  # resolved on its own path


def test_times_are_shown_in_the_company_time_zone(app, client, world, add_row):
    from datetime import datetime

    row_id = add_row("branch", world.north.id, {"hours_before": 12})
    with app.app_context():
        row = db.session.get(PolicyConfiguration, row_id)
        row.updated_at = datetime(2026, 1, 2, 9, 0)  # stored naive UTC; Berlin is UTC+1 in winter
        db.session.commit()
    client.login(world.admin.email)
    page = editor_page(client, "branch", world.north.id)
    assert "2026-01-02 10:00 CET" in page.one(data_last_changed=True).text
    assert "09:00" not in page.text


def test_last_changed_does_not_move_on_a_row_nobody_touched(app, client, world, add_row):
    add_row("staff", world.ann.id, {"hours_before": 2})
    with app.app_context():
        before = db.session.scalar(select(PolicyConfiguration.updated_at).where(
            PolicyConfiguration.configurable_type == "staff"))
    client.login(world.admin.email)
    client.submit(editor_url("branch", world.north.id), {   # makes Ann's row an override of North's
        "version": "0", "action": "save", "mode_hours_before": "override", "value_hours_before": "12"})
    with app.app_context():
        staff_row = db.session.scalar(select(PolicyConfiguration).where(
            PolicyConfiguration.configurable_type == "staff"))
        assert staff_row.is_override
        assert staff_row.updated_at == before

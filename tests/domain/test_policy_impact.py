"""Impact preview: which nodes a proposed policy change reaches, and which keep their own value."""
import pytest

from portal.domain.policies import Entity, LevelRow, StaffMember, TreeInput
from portal.domain.policy_impact import impact_of_change

TREE = TreeInput(
    company=Entity(1, "Demo"),
    branches=[Entity(10, "Mitte"), Entity(11, "Süd")],
    services=[Entity(20, "Haircut"), Entity(21, "Colour")],
    staff=[StaffMember(30, "Anna", 10), StaffMember(31, "Ben", 11)],
    branch_services={(10, 20), (10, 21), (11, 20)},
    staff_services={(30, 20), (30, 21), (31, 20)},
)
# Nodes: Demo; Mitte, Mitte/Haircut, Mitte/Haircut/Anna, Mitte/Colour, Mitte/Colour/Anna;
#        Süd, Süd/Haircut, Süd/Haircut/Ben  -> 9 nodes.
ROWS = {
    ("company", 1): LevelRow("company", 1, "Demo", {"hours_before": 24, "fee": "10.00"}),
    ("branch", 11): LevelRow("branch", 11, "Süd", {"hours_before": 12}),
    ("staff", 30): LevelRow("staff", 30, "Anna", {"hours_before": 2}),
}


def paths_of(items):
    return {"/".join(item.names) for item in items}


def test_company_change_reaches_every_node_without_its_own_value():
    impact = impact_of_change("cancellation", TREE, ROWS, "company", 1,
                              {"hours_before": 48, "fee": "10.00"})
    assert impact.changed_keys == ("hours_before",)
    assert paths_of(impact.changed_nodes) == {
        "Demo", "Demo/Mitte", "Demo/Mitte/Haircut", "Demo/Mitte/Colour"}
    assert impact.changed_count == 4
    assert impact.changed_nodes[0].changes == {"hours_before": (24, 48)}


def test_nodes_with_their_own_value_keep_it_and_are_listed():
    impact = impact_of_change("cancellation", TREE, ROWS, "company", 1,
                              {"hours_before": 48, "fee": "10.00"})
    assert impact.kept_count == 3
    assert paths_of(impact.kept_overrides) == {
        "Demo/Süd", "Demo/Mitte/Haircut/Anna", "Demo/Mitte/Colour/Anna"}
    assert all(kept.keys == ("hours_before",) for kept in impact.kept_overrides)


def test_inheriting_from_an_overriding_branch_is_not_a_kept_override_of_its_own():
    impact = impact_of_change("cancellation", TREE, ROWS, "company", 1, {"hours_before": 1})
    assert "Demo/Süd/Haircut" not in paths_of(impact.kept_overrides)


def test_removing_a_key_reports_the_value_that_comes_back():
    impact = impact_of_change("cancellation", TREE, ROWS, "branch", 11, {})
    assert paths_of(impact.changed_nodes) == {"Demo/Süd", "Demo/Süd/Haircut", "Demo/Süd/Haircut/Ben"}
    assert {node.changes["hours_before"] for node in impact.changed_nodes} == {(12, 24)}
    assert impact.kept_count == 0


def test_removing_a_key_set_nowhere_else_reports_not_set():
    impact = impact_of_change("cancellation", TREE, ROWS, "company", 1, {"hours_before": 24})
    assert impact.changed_keys == ("fee",)
    assert impact.changed_count == 9
    assert {node.changes["fee"] for node in impact.changed_nodes} == {("10.00", None)}


def test_service_change_reaches_the_service_under_every_branch():
    impact = impact_of_change("cancellation", TREE, ROWS, "service", 20, {"fee": "0.00"})
    assert paths_of(impact.changed_nodes) == {
        "Demo/Mitte/Haircut", "Demo/Mitte/Haircut/Anna", "Demo/Süd/Haircut", "Demo/Süd/Haircut/Ben"}


def test_staff_change_reaches_only_that_person():
    impact = impact_of_change("cancellation", TREE, ROWS, "staff", 30, {"hours_before": 3})
    assert paths_of(impact.changed_nodes) == {"Demo/Mitte/Haircut/Anna", "Demo/Mitte/Colour/Anna"}
    assert impact.kept_count == 0


def test_saving_the_same_config_changes_nothing():
    impact = impact_of_change("cancellation", TREE, ROWS, "branch", 11, {"hours_before": 12})
    assert impact.changed_keys == ()
    assert impact.changed_count == 0
    assert impact.kept_count == 0


def test_same_value_as_inherited_changes_no_effective_value():
    impact = impact_of_change("cancellation", TREE, ROWS, "branch", 10, {"hours_before": 24})
    assert impact.changed_keys == ("hours_before",)
    assert impact.changed_count == 0
    assert impact.kept_count == 2


def test_callback_change_is_measured_against_defaults():
    impact = impact_of_change("callback", TREE, {}, "branch", 10, {"sla_minutes_urgent": 30})
    assert impact.changed_count == 5
    assert {node.changes["sla_minutes_urgent"] for node in impact.changed_nodes} == {(60, 30)}


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        impact_of_change("cancellation", TREE, ROWS, "region", 1, {})


def test_preview_leaves_the_current_rows_untouched():
    rows = dict(ROWS)
    impact_of_change("cancellation", TREE, rows, "branch", 11, {"hours_before": 6})
    impact_of_change("cancellation", TREE, rows, "company", 1, None)
    assert rows == ROWS

"""Policy inheritance: precedence, key-by-key merge, provenance, whole trees."""
import random

import pytest

from portal.domain import policies
from portal.domain.policies import (
    Effective,
    Entity,
    LevelRow,
    Source,
    StaffMember,
    TreeInput,
    describe,
    effective_values,
    nearest_overridden,
    resolve,
    resolve_tree,
    resolve_with_set_aside,
)
from portal.domain.policy_schema import UNLIMITED


def company(**config):
    return LevelRow("company", 1, "Demo", config)


def branch(**config):
    return LevelRow("branch", 10, "Mitte", config)


def service(**config):
    return LevelRow("service", 20, "Haircut", config)


def staff(**config):
    return LevelRow("staff", 30, "Anna", config)


def value_of(rows, key, policy_type="cancellation"):
    return resolve(policy_type, rows)[key].value


# --- precedence, one pair at a time ---------------------------------------------------------

def test_branch_override_wins_over_company():
    assert value_of([company(hours_before=24), branch(hours_before=12)], "hours_before") == 12


def test_service_override_wins_over_branch():
    assert value_of([branch(hours_before=12), service(hours_before=6)], "hours_before") == 6


def test_staff_wins_over_service():
    assert value_of([service(hours_before=6), staff(hours_before=2)], "hours_before") == 2


def test_service_override_wins_over_company_without_branch_row():
    assert value_of([company(hours_before=24), None, service(hours_before=6)], "hours_before") == 6


def test_staff_wins_over_company_and_branch():
    rows = [company(hours_before=24), branch(hours_before=12), None, staff(hours_before=1)]
    assert value_of(rows, "hours_before") == 1


def test_company_wins_over_type_default():
    assert value_of([company(sla_minutes_urgent=30)], "sla_minutes_urgent", "callback") == 30


def test_row_order_does_not_matter():
    rows = [staff(hours_before=2), company(hours_before=24), service(hours_before=6)]
    assert value_of(rows, "hours_before") == 2


def test_resolution_is_key_by_key():
    rows = [company(hours_before=24, fee="10.00", require_reason=True),
            branch(fee="5.00"), service(require_reason=False), staff()]
    resolved = resolve("cancellation", rows)
    assert effective_values(resolved) == {"hours_before": 24, "fee": "5.00", "require_reason": False}
    assert [resolved[key].source.level for key in resolved] == ["company", "branch", "service"]


def test_none_in_a_config_means_not_set():
    rows = [company(hours_before=24), branch(hours_before=None)]
    assert resolve("cancellation", rows)["hours_before"].source.level == "company"


# --- provenance -----------------------------------------------------------------------------

def test_every_key_carries_its_source_and_the_sources_it_shadows():
    rows = [company(hours_before=24, fee="10.00"), branch(hours_before=12),
            service(hours_before=6, require_reason=True), staff(fee="0.00")]
    resolved = resolve("cancellation", rows)
    assert resolved["hours_before"] == Effective(
        "hours_before", 6, Source("service", 20, "Haircut"),
        (Source("branch", 10, "Mitte"), Source("company", 1, "Demo")), (12, 24))
    assert resolved["fee"] == Effective(
        "fee", "0.00", Source("staff", 30, "Anna"), (Source("company", 1, "Demo"),), ("10.00",))
    assert resolved["require_reason"] == Effective(
        "require_reason", True, Source("service", 20, "Haircut"))


def test_default_value_is_sourced_default():
    effective = resolve("callback", [])["sla_minutes_high"]
    assert effective.source == Source("default")
    assert effective.is_default
    assert not effective.is_override


def test_override_of_a_default_shadows_the_default():
    effective = resolve("callback", [branch(sla_minutes_normal=720)])["sla_minutes_normal"]
    assert effective.overridden_sources == (Source("default"),)
    assert effective.inherited_value == 1440


def test_unlimited_lifts_a_parent_limit():
    rows = [company(max_cancellations_per_month=2), staff(max_cancellations_per_month=UNLIMITED)]
    effective = resolve("cancellation", rows)["max_cancellations_per_month"]
    assert effective.value == UNLIMITED
    assert effective.source.level == "staff"


def test_a_lower_level_can_impose_a_limit_below_unlimited():
    rows = [company(max_cancellations_per_month=UNLIMITED), branch(max_cancellations_per_month=1)]
    assert value_of(rows, "max_cancellations_per_month") == 1


def test_unset_callback_expiry_stays_absent():
    assert "expire_after_hours" not in resolve("callback", [company(sla_minutes_high=100)])


def test_callback_defaults_apply_without_any_row():
    assert effective_values(resolve("callback", [])) == {
        "sla_minutes_urgent": 60, "sla_minutes_high": 240, "sla_minutes_normal": 1440,
        "max_contact_attempts": 3, "due_soon_minutes": 30}


@pytest.mark.parametrize("policy_type", ["cancellation", "reschedule", "recurring"])
def test_types_without_rows_or_defaults_have_no_effective_policy(policy_type):
    assert effective_values(resolve(policy_type, [None, None, None, None])) is None
    assert effective_values(resolve(policy_type, [company()])) is None


def test_resolved_keys_follow_display_order():
    rows = [company(require_reason=True), branch(fee="1.00"), staff(hours_before=3)]
    assert list(resolve("cancellation", rows)) == ["hours_before", "fee", "require_reason"]


def test_unknown_policy_type_and_levels_are_refused():
    with pytest.raises(ValueError):
        resolve("holiday", [])
    with pytest.raises(ValueError):
        resolve("cancellation", [LevelRow("region", 1, "North", {})])
    with pytest.raises(ValueError):
        resolve("cancellation", [branch(fee="1.00"), LevelRow("branch", 11, "Süd", {})])


# --- labels shown beside each value ---------------------------------------------------------

def test_value_set_at_this_node_over_a_different_parent_value_is_overridden_here():
    effective = resolve("cancellation", [company(hours_before=24), branch(hours_before=12)])
    assert describe(effective["hours_before"], "branch", 10) == "overridden here"


def test_same_value_override_is_labelled_overrides_same_value():
    effective = resolve("cancellation", [company(hours_before=24), branch(hours_before=24)])
    assert describe(effective["hours_before"], "branch", 10) == "overrides, same value"
    assert effective["hours_before"].source.level == "branch"


def test_same_value_is_judged_against_the_nearest_ancestor():
    rows = [company(hours_before=12), branch(hours_before=24), staff(hours_before=12)]
    assert describe(resolve("cancellation", rows)["hours_before"], "staff", 30) == "overridden here"


def test_setting_the_default_value_is_an_override_with_the_same_value():
    effective = resolve("callback", [staff(sla_minutes_urgent=60)])["sla_minutes_urgent"]
    assert describe(effective, "staff", 30) == "overrides, same value"


def test_value_nothing_above_sets_is_set_here():
    effective = resolve("cancellation", [company(hours_before=24)])["hours_before"]
    assert describe(effective, "company", 1) == "set here"


def test_inherited_value_names_level_and_entity():
    effective = resolve("cancellation", [company(hours_before=24), branch(hours_before=12)])
    assert describe(effective["hours_before"], "staff", 30) == "inherited from Branch Mitte"


def test_inherited_from_an_unnamed_entity_uses_its_id():
    effective = resolve("cancellation", [LevelRow("service", 7, None, {"fee": "1.00"})])["fee"]
    assert describe(effective, "staff", 30) == "inherited from Service #7"


def test_same_level_other_entity_is_inherited_not_here():
    effective = resolve("cancellation", [branch(fee="1.00")])["fee"]
    assert describe(effective, "branch", 11) == "inherited from Branch Mitte"


def test_default_is_labelled_default():
    assert describe(resolve("callback", [])["due_soon_minutes"], "branch", 10) == "default"


# --- is_override / overrides_id -------------------------------------------------------------

def test_row_overrides_the_nearest_ancestor_sharing_a_key():
    rows = [company(hours_before=24), branch(hours_before=12), service(fee="1.00"),
            staff(hours_before=2)]
    assert nearest_overridden(rows, "staff") == rows[1]


def test_ancestor_with_only_other_keys_is_not_overridden():
    rows = [company(hours_before=24), branch(fee="1.00"), staff(hours_before=2)]
    assert nearest_overridden(rows, "staff") == rows[0]


def test_row_sharing_no_key_with_ancestors_overrides_nothing():
    rows = [company(hours_before=24), branch(fee="1.00")]
    assert nearest_overridden(rows, "branch") is None


def test_level_without_row_overrides_nothing():
    assert nearest_overridden([company(hours_before=24), None], "branch") is None


def test_company_row_overrides_nothing():
    assert nearest_overridden([company(hours_before=24)], "company") is None


# --- the fee rule is one setting ---------------------------------------------------------------

def test_fee_keys_resolve_as_one_group_from_the_most_specific_level_setting_any():
    resolved, set_aside = resolve_with_set_aside("cancellation", [
        company(fee="15.00", hours_before=24), service(fee_percentage="50.00")])
    assert resolved["fee_percentage"].source.level == "service"
    assert "fee" not in resolved
    assert set_aside["fee"].value == "15.00"
    assert resolved["hours_before"].source.level == "company"  # other keys: key by key as before


def test_the_deciding_level_brings_all_its_fee_keys_and_only_those():
    rows = [company(fee_tiers=[{"min_hours": 24, "fee": "9.00"}], fee="1.00"),
            branch(fee="2.00", fee_percentage="5.00"), staff(hours_before=1)]
    resolved, set_aside = resolve_with_set_aside("cancellation", rows)
    assert {key: resolved[key].value for key in ("fee", "fee_percentage")} == {"fee": "2.00", "fee_percentage": "5.00"}
    assert set(set_aside) == {"fee_tiers"}
    assert resolved["fee"].overridden_sources[0].level == "company"  # the shadowed value stays known


def test_types_without_fees_have_no_groups():
    resolved, set_aside = resolve_with_set_aside("callback", [company(sla_minutes_high=10), branch(due_soon_minutes=5)])
    assert set_aside == {}
    assert resolved["sla_minutes_high"].value == 10


def test_a_fee_key_overrides_an_ancestors_other_fee_key():
    rows = [company(fee="15.00"), service(fee_percentage="50.00")]
    assert nearest_overridden(rows, "service", "cancellation") == rows[0]
    assert nearest_overridden(rows, "service") is None  # without the type: key by key


# --- whole trees ----------------------------------------------------------------------------

def small_tree():
    return TreeInput(
        company=Entity(1, "Demo"),
        branches=[Entity(10, "Mitte"), Entity(11, "Süd")],
        services=[Entity(20, "Haircut"), Entity(21, "Colour")],
        staff=[StaffMember(30, "Anna", 10), StaffMember(31, "Ben", 11)],
        branch_services={(10, 20), (10, 21), (11, 20)},
        staff_services={(30, 20), (30, 21), (31, 20), (31, 21)},
    )


def names(node):
    return [node.name] + [names(child) for child in node.children]


def test_tree_shows_offered_services_and_home_branch_staff_who_perform_them():
    root = resolve_tree("cancellation", small_tree(), {})
    assert names(root) == ["Demo", ["Mitte", ["Haircut", ["Anna"]], ["Colour", ["Anna"]]],
                           ["Süd", ["Haircut", ["Ben"]]]]


def test_children_follow_the_input_order_not_id_order():
    tree = TreeInput(Entity(1, "Demo"), [Entity(12, "Nord"), Entity(10, "Mitte")],
                     [Entity(29, "Styling"), Entity(20, "Haircut")],
                     [StaffMember(39, "Zoe", 10), StaffMember(30, "Anna", 10)],
                     {(10, 20), (10, 29)}, {(30, 20), (39, 20), (30, 29), (39, 29)})
    root = resolve_tree("cancellation", tree, {})
    assert names(root) == ["Demo", ["Nord"], ["Mitte", ["Styling", ["Zoe"], ["Anna"]],
                                              ["Haircut", ["Zoe"], ["Anna"]]]]


def test_service_row_applies_to_the_service_under_every_branch():
    rows = {("service", 20): service(fee="3.00")}
    root = resolve_tree("cancellation", small_tree(), rows)
    fees = {node.path: node.values and node.values.get("fee") for node in root.walk()
            if ("service", 20) in node.path}
    assert len(fees) == 4
    assert set(fees.values()) == {"3.00"}


def test_staff_row_applies_to_the_person_under_every_service():
    rows = {("staff", 30): staff(hours_before=1), ("branch", 10): branch(hours_before=12)}
    root = resolve_tree("cancellation", small_tree(), rows)
    anna = [node for node in root.walk() if node.path[-1] == ("staff", 30)]
    assert len(anna) == 2
    assert all(node.resolved["hours_before"].value == 1 for node in anna)
    assert all(node.row == rows[("staff", 30)] for node in anna)


def random_tree(rng):
    branches = [Entity(100 + i, f"B{i}") for i in range(rng.randint(0, 4))]
    services = [Entity(200 + i, f"S{i}") for i in range(rng.randint(0, 5))]
    staff_members = [StaffMember(300 + i, f"P{i}", rng.choice(branches).id if branches else None)
                     for i in range(rng.randint(0, 8))]
    return TreeInput(
        Entity(1, "Co"), branches, services, staff_members,
        {(b.id, s.id) for b in branches for s in services if rng.random() < 0.6},
        {(p.id, s.id) for p in staff_members for s in services if rng.random() < 0.5},
    )


def random_config(rng, policy_type):
    choices = {
        "cancellation": {"hours_before": [0, 2, 24], "fee": ["0.00", "5.00"],
                         "fee_percentage": ["10.00", "50.00"],
                         "fee_tiers": [[{"min_hours": 24, "fee": "1.00"}]],
                         "max_cancellations_per_month": [1, 3, UNLIMITED],
                         "require_reason": [True, False]},
        "callback": {"sla_minutes_urgent": [15, 60], "due_soon_minutes": [10, 30],
                     "expire_after_hours": [4, UNLIMITED]},
    }[policy_type]
    return {key: rng.choice(values) for key, values in choices.items() if rng.random() < 0.5}


def random_rows(rng, policy_type, tree):
    entities = ([("company", tree.company)] + [("branch", b) for b in tree.branches]
                + [("service", s) for s in tree.services] + [("staff", p) for p in tree.staff])
    return {(level, entity.id): LevelRow(level, entity.id, entity.name,
                                         random_config(rng, policy_type))
            for level, entity in entities if rng.random() < 0.6}


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("policy_type", ["cancellation", "callback"])
def test_tree_resolution_matches_resolving_each_path(seed, policy_type):
    rng = random.Random(seed)
    tree = random_tree(rng)
    rows = random_rows(rng, policy_type, tree)
    for node in resolve_tree(policy_type, tree, rows).walk():
        path_rows = [rows.get(key) for key in node.path]
        assert (node.resolved, node.set_aside) == resolve_with_set_aside(policy_type, path_rows)
        assert node.resolved == resolve(policy_type, path_rows)
        assert list(node.resolved) == list(resolve(policy_type, path_rows))
        assert node.row == rows.get(node.path[-1])


@pytest.mark.parametrize("seed", range(10))
def test_tree_contains_exactly_the_offered_and_performed_paths(seed):
    tree = random_tree(random.Random(seed))
    paths = {node.path for node in resolve_tree("cancellation", tree, {}).walk()}
    home = {p.id: p.branch_id for p in tree.staff}
    expected = {(("company", 1),)} | {(("company", 1), ("branch", b.id)) for b in tree.branches}
    expected |= {(("company", 1), ("branch", b), ("service", s)) for b, s in tree.branch_services}
    expected |= {(("company", 1), ("branch", home[p]), ("service", s), ("staff", p))
                 for p, s in tree.staff_services if (home[p], s) in tree.branch_services}
    assert paths == expected


def test_tree_merges_each_node_once_from_its_parent(monkeypatch):
    calls = []
    real_merge = policies.merge_level

    def counting_merge(parent, row):
        calls.append(row)
        return real_merge(parent, row)

    monkeypatch.setattr(policies, "merge_level", counting_merge)
    root = resolve_tree("cancellation", small_tree(), {("company", 1): company(fee="1.00")})
    assert len(calls) == sum(1 for _ in root.walk())

"""A branch manager overrides, sees the inheritance below, and resets — in a real browser."""
import re

import pytest

from portal.demo.activity import DEMO_PASSWORD
from tests.browser import expect, follow, save_screenshot, sign_in

pytestmark = pytest.mark.browser


def hours_cell_of_service(page, service: str):
    node = page.locator("li.node-service", has=page.locator(".node-name", has_text=service)).first
    return node.locator(".cell", has=page.locator("dt", has_text="Hours before")).first


def test_manager_overrides_branch_hours_and_resets_to_company_value(page):
    sign_in(page, "manager@demo.test", DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Policies").click()
    follow(page, page.locator(".node-branch .node-name", has_text="Berlin Mitte"))
    expect(page.locator("h1")).to_contain_text("Berlin Mitte")

    page.fill("input[name=value_hours_before]", "36")  # typing selects "Override" (portal.js)
    expect(page.locator("input[name=mode_hours_before][value=override]")).to_be_checked()
    page.get_by_role("button", name="Preview impact").click()
    expect(page.locator(".impact")).to_contain_text("nodes would get different effective values")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash-success")).to_contain_text("Saved")
    save_screenshot(page, "policies-branch-saved")

    page.goto("/policies/?type=cancellation")
    cell = hours_cell_of_service(page, "Haircut")
    expect(cell).to_contain_text("36 h")
    expect(cell).to_contain_text("inherited from Branch Berlin Mitte")
    save_screenshot(page, "policies-tree-inherits-from-branch")

    page.locator(".node-branch .node-name", has_text="Berlin Mitte").click()
    page.locator("#row-hours_before").get_by_role("button", name="Reset to inherited").click()
    expect(page.locator("[data-impact=reset]")).to_contain_text("nodes would get different effective values")
    expect(page.locator("[data-impact=reset]")).to_contain_text("Hours before 36 h → 24 h")
    page.locator("[data-impact=reset]").get_by_role("button", name="Reset “Hours before”").click()
    expect(page.locator(".flash-success")).to_contain_text("Reset")

    page.goto("/policies/?type=cancellation")
    cell = hours_cell_of_service(page, "Haircut")
    expect(cell).to_contain_text("24 h")
    expect(cell).to_contain_text(re.compile(r"inherited from Company"))


def test_manager_sees_company_level_read_only_with_the_reason(page):
    sign_in(page, "manager@demo.test", DEMO_PASSWORD)
    page.goto("/policies/?type=cancellation")
    page.locator(".node-company .node-name").first.click()
    expect(page.locator(".notice")).to_contain_text("only admins can change them")
    expect(page.locator("input[name=mode_hours_before]")).to_have_count(0)

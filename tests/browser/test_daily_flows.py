"""The agent's and the manager's daily flows in Chromium, on a phone-sized screen where it
matters: claim from the queue row, Next callback, unassign a mistaken claim; focus lands on the
message after a post; the header folds behind its Menu button."""
import pytest

from portal.demo.activity import DEMO_PASSWORD
from tests.browser import expect, follow, save_screenshot, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_agent_claims_from_the_row_then_unassigns_the_mistake_on_a_phone(page):
    page.set_viewport_size(PHONE)
    sign_in(page, "agent@demo.test", DEMO_PASSWORD)
    page.goto("/callbacks/?assignee=unassigned")
    row = page.locator("tr[data-callback]").first
    customer = row.locator("a.cb-customer").inner_text()
    row.get_by_role("button", name=f"Claim {customer}").click()
    expect(page.locator(".flash-success")).to_contain_text(f"You claimed the callback for {customer}")
    expect(page.locator(".flash-success")).to_be_focused()  # the news, not the top of the page
    page.goto("/callbacks/?assignee=me")
    mine = page.locator("tr[data-callback]", has=page.locator("a.cb-customer", has_text=customer))
    mine.get_by_role("button", name=f"Unassign {customer}").click()
    expect(page.locator(".flash-success")).to_contain_text("back in the queue")
    save_screenshot(page, "screens-agent-unassigned-own-claim-phone")


def test_next_callback_opens_the_top_of_my_queue_claimed(page):
    sign_in(page, "agent@demo.test", DEMO_PASSWORD)
    page.goto("/callbacks/")
    page.get_by_role("button", name="Next callback").click()
    expect(page.locator(".flash-success")).to_contain_text("You claimed the callback")
    expect(page.locator(".cb-facts")).to_contain_text("Alex Agent")  # the agent's own staff record (support team)


def test_the_header_folds_behind_a_menu_button_on_a_phone(page):
    page.set_viewport_size(PHONE)
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator("nav.mainnav")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("nav.mainnav").get_by_role("link", name="Notifications")).to_be_visible()
    box = page.locator("nav.mainnav a").first.bounding_box()
    assert box["height"] >= 44  # a touch target
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(menu).to_be_hidden()
    expect(page.locator("nav.mainnav")).to_be_visible()


def test_a_refused_save_puts_the_focus_on_its_message(page):
    sign_in(page, "manager@demo.test", DEMO_PASSWORD)
    page.goto("/policies/?type=cancellation")
    follow(page, page.locator(".node-branch .node-name", has_text="Berlin Mitte"))
    page.fill("input[name=value_hours_before]", "soon")
    page.get_by_role("button", name="Preview impact").click()
    expect(page.locator(".flash-error")).to_be_focused()
    expect(page.locator("#row-hours_before .error")).to_contain_text("whole number")

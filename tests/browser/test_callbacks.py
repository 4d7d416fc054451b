"""The callback queue in a real browser: an agent works a callback from claim to completion; a
manager escalates another one to a colleague, who resolves the escalation."""
import pytest

from portal.demo.activity import DEMO_PASSWORD
from tests.browser import expect, save_screenshot, sign_in

pytestmark = pytest.mark.browser


def open_from_queue(page, customer: str) -> None:
    page.locator("nav.mainnav a", has_text="Callbacks").click()
    page.locator("a.cb-customer", has_text=customer).click()
    expect(page.locator("h1")).to_have_text(customer)


def flash(page):
    return page.locator(".flash").first


def test_agent_claims_attempts_contacts_and_completes_a_callback(page):
    sign_in(page, "agent@demo.test", DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Callbacks").click()
    row = page.locator("tr", has=page.locator("a.cb-customer", has_text="Ben Becker"))
    expect(row.locator("[data-deadline]")).to_contain_text("Due in")
    save_screenshot(page, "callbacks-queue-agent")
    open_from_queue(page, "Ben Becker")

    page.get_by_role("button", name="Claim").click()
    expect(flash(page)).to_contain_text("You claimed the callback for Ben Becker")
    expect(page.locator(".cb-facts")).to_contain_text("Alex Agent")  # the agent's staff record (support team)

    page.fill("#attempt-note", "Voicemail, will try again")
    page.get_by_role("button", name="Record failed attempt").click()
    expect(flash(page)).to_contain_text("Recorded failed attempt 1 of 3")

    page.get_by_role("button", name="Mark contacted").click()
    expect(flash(page)).to_contain_text("Marked Ben Becker as contacted")
    page.fill("#complete-note", "Moved to Friday 10:00")
    page.get_by_role("button", name="Complete").click()
    expect(flash(page)).to_contain_text("Completed the callback for Ben Becker")
    expect(page.locator(".cb-head-tags")).to_contain_text("Completed")

    timeline = page.locator("ol.cb-timeline li")
    expect(timeline).to_have_count(5)
    for index, text in enumerate(("Created with priority high", "Claimed by Alex Agent",
                                  "Failed contact attempt 1", "Marked contacted", "Completed")):
        expect(timeline.nth(index)).to_contain_text(text)
    expect(timeline.nth(2)).to_contain_text("Voicemail, will try again")
    save_screenshot(page, "callbacks-completed-timeline")


def test_manager_escalates_to_a_colleague_who_resolves_it(page):
    sign_in(page, "manager@demo.test", DEMO_PASSWORD)
    open_from_queue(page, "Greta Wagner")
    page.fill("#escalate-note", "Customer wants a senior stylist")
    page.select_option("#escalate-staff", label="Alex Agent")  # the support team works every branch
    page.get_by_role("button", name="Escalate").click()
    expect(flash(page)).to_contain_text("Escalated to Alex Agent, who now owns the callback.")
    escalation = page.locator(".cb-escalation-open")
    expect(escalation).to_contain_text("Manual escalation")
    expect(escalation).to_contain_text("to Alex Agent")
    save_screenshot(page, "callbacks-escalated-by-manager")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "agent@demo.test", DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Callbacks").click()
    page.get_by_role("link", name="My callbacks").click()
    mine = page.locator("a.cb-customer", has_text="Greta Wagner")
    expect(mine).to_be_visible()
    mine.click()
    page.locator(".cb-escalation-open input[name=notes]").fill("Booked her with the senior stylist")
    page.get_by_role("button", name="Resolve escalation").click()
    expect(flash(page)).to_contain_text("Escalation resolved.")
    expect(page.locator(".cb-escalation-open")).to_have_count(0)
    expect(page.locator(".cb-escalation-resolved")).to_contain_text("Booked her with the senior stylist")
    expect(page.locator("ol.cb-timeline")).to_contain_text("Resolved the escalation (Manual escalation)")
    save_screenshot(page, "callbacks-escalation-resolved")


def test_the_countdown_badges_keep_counting_while_the_page_is_open(page):
    page.clock.install()
    sign_in(page, "agent@demo.test", DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Callbacks").click()
    badge = page.locator("tr", has=page.locator("a.cb-customer", has_text="Ben Becker")).locator("[data-deadline]")
    expect(badge).to_contain_text("Due in 3 h")  # high priority: 240 min, asked 30 min ago
    page.wait_for_load_state("load")  # callbacks.js (deferred) has started its timer
    page.clock.fast_forward("04:00:00")
    expect(badge).to_contain_text("Overdue by")
    expect(badge).to_have_attribute("data-deadline", "overdue")
    save_screenshot(page, "callbacks-countdown-after-four-hours")


def test_new_callback_picker_follows_the_branch_chosen(page):
    """The preferred-staff picker lists the chosen branch's staff and the company-wide team; a
    change of branch brings that branch's people, and a company-wide choice stays chosen."""
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    page.goto("/callbacks/new")
    staff = page.get_by_label("Preferred staff member (optional)")
    expect(staff.locator("optgroup")).to_have_count(2)
    expect(staff.locator("optgroup").first).to_have_attribute("label", "Berlin Mitte")
    staff.select_option(label="Alex Agent")  # the support team: company-wide
    page.get_by_label("Branch").select_option(label="Hamburg Altona")
    expect(staff.locator("optgroup").first).to_have_attribute("label", "Hamburg Altona")
    expect(staff.locator("optgroup")).to_have_count(2)
    expect(staff.locator("option:checked")).to_have_text("Alex Agent")

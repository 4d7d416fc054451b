"""An admin overrides a channel on a branch, sees it inherited below, locks a company cell and
sees the lock below — in a real browser."""
import pytest

from portal.demo.activity import DEMO_PASSWORD
from tests.browser import expect, follow, save_screenshot, sign_in

pytestmark = pytest.mark.browser


def cell(page, event_type, channel):
    return page.locator(f"#cell-{event_type}-{channel}")


def open_cell(page, event_type, channel):
    """Follow the cell's one compact line to its editor (until "load": notifications.js listens)."""
    follow(page, cell(page, event_type, channel).locator("a[data-enabled]"))


def open_node(page, name):
    page.locator("nav.ntree a", has_text=name).first.click()
    expect(page.locator("h1")).to_contain_text(name)


def test_admin_overrides_a_branch_channel_and_locks_a_company_cell(page):
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Notifications").click()
    expect(page.locator("#event-reminder_24h")).to_contain_text("Erinnerung 24 Stunden vorher")
    open_node(page, "Berlin Mitte")

    open_cell(page, "reminder_24h", "sms")
    page.select_option("select[name=value_fallback_channel]", "email")  # choosing selects "Set here"
    expect(page.locator("input[name=mode_fallback_channel][value=set]")).to_be_checked()
    page.fill("input[name=value_retry_count]", "5")
    expect(page.locator("input[name=mode_retry_count][value=set]")).to_be_checked()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Saved: Reminder 24 hours before by SMS at Berlin Mitte")
    branch_cell = cell(page, "reminder_24h", "sms")
    expect(branch_cell.locator("[data-key=retry_count]")).to_contain_text("5")
    expect(branch_cell.locator("[data-key=retry_count]")).to_contain_text("here")

    open_node(page, "Haircut")
    open_node(page, "Ben Schmidt")
    staff_cell = cell(page, "reminder_24h", "sms")
    expect(staff_cell.locator("[data-key=fallback_channel]")).to_contain_text("Email")
    expect(staff_cell.locator("[data-key=fallback_channel] [data-provenance]")).to_contain_text(
        "inherited from Branch Berlin Mitte")
    expect(staff_cell.locator(".nmark-fallback")).to_have_attribute("title", "fallback Email")
    details = staff_cell.locator("details")
    expect(details.locator("[data-key=retry_count]")).not_to_be_visible()
    details.locator("summary").focus()  # details on demand, from the keyboard
    page.keyboard.press("Enter")
    expect(details.locator("[data-key=retry_count]")).to_be_visible()
    expect(staff_cell.locator("[data-key=retry_count]")).to_contain_text("5")
    expect(staff_cell.locator("[data-key=retry_count]")).to_contain_text("Branch Berlin Mitte")
    save_screenshot(page, "notifications-staff-matrix")

    page.locator("#event-reminder_24h").get_by_role("link", name="Delivery plan of Reminder 24 hours before").click()
    expect(page.locator("h1")).to_contain_text("Reminder 24 hours before")
    expect(page.locator("#delivery-plan")).to_contain_text("sent once because all 6 attempts on SMS failed")
    save_screenshot(page, "notifications-delivery-plan")

    page.locator("nav.breadcrumb a", has_text="Demo Salons").click()
    open_cell(page, "booking_confirmed", "email")
    page.check("input[name=locked]")  # on by the catalog already: no need to set Enabled again
    page.get_by_role("button", name="Save changes").click()
    expect(cell(page, "booking_confirmed", "email")).to_contain_text("here: stays on below")

    open_node(page, "Berlin Mitte")
    expect(cell(page, "booking_confirmed", "email")).to_contain_text("on by the company")
    open_node(page, "Haircut")
    open_node(page, "Ben Schmidt")
    locked = cell(page, "booking_confirmed", "email")
    expect(locked).to_contain_text("on by the company")
    locked.locator("a[data-enabled]").click()
    expect(page.locator(".notice")).to_contain_text("Locked on at company level")
    expect(page.locator("select[name=value_is_enabled] option[value=no]")).to_have_count(0)
    save_screenshot(page, "notifications-locked-cell-editor")


def test_manager_views_notifications_read_only(page):
    sign_in(page, "manager@demo.test", DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Notifications").click()
    open_node(page, "Berlin Mitte")
    cell(page, "reminder_2h", "push").locator("a[data-enabled]").click()
    expect(page.locator(".notice")).to_contain_text("Read only.")
    expect(page.locator("input[name=mode_is_enabled]")).to_have_count(0)


def test_admin_switches_whatsapp_off_for_all_reminders_of_a_branch(page):
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    page.goto("/notifications/")
    open_node(page, "Berlin Mitte")
    page.locator("summary", has_text="Change many cells at once").click()
    bulk = page.locator("form.nbulk")
    bulk.locator("select[name=events]").select_option("category:reminder")
    bulk.locator("select[name=channels]").select_option("whatsapp")
    bulk.locator("select[name=enabled]").select_option("off")
    bulk.get_by_role("button", name="Preview the change").click()
    preview = page.locator("[data-bulk-preview]")
    expect(preview.locator("h2")).to_contain_text("would change")
    expect(preview.locator("tr[data-bulk-cell=reminder_24h-whatsapp] [data-after]")).to_have_attribute("data-after", "off")
    save_screenshot(page, "notifications-bulk-preview")
    preview.get_by_role("button", name="Change").click()
    expect(page.locator(".flash-success")).to_contain_text("Changed")
    expect(cell(page, "reminder_24h", "whatsapp").locator("a[data-enabled]")).to_have_attribute("data-enabled", "off")

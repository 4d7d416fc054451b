"""An admin opens the delivery log, filters the failures, opens one and resends it — in a browser."""
import pytest

from portal.demo.activity import DEMO_PASSWORD
from tests.browser import expect, save_screenshot, sign_in

pytestmark = pytest.mark.browser


def test_admin_filters_failed_deliveries_opens_one_and_resends_it(page):
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    page.locator("nav.mainnav a", has_text="Deliveries").click()
    expect(page.locator("h1")).to_have_text("Delivery log")
    expect(page.locator("tr[data-delivery]")).to_have_count(3)

    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("tr[data-delivery]")
    expect(rows).to_have_count(2)
    for index in range(2):
        expect(rows.nth(index)).to_have_attribute("data-status", "failed")

    rows.first.get_by_role("link").click()
    expect(page.locator("section[data-delivery]")).to_have_attribute("data-status", "failed")
    attempts = page.locator("tr[data-attempt]")
    expect(attempts.first).to_be_visible()
    expect(page.locator("tr[data-attempt][data-status=failed]").first).to_contain_text("permanent")
    save_screenshot(page, "delivery-failed")

    page.once("dialog", lambda dialog: dialog.accept())  # "Send this notification again now?"
    page.get_by_role("button", name="Resend").click()
    expect(page.locator(".flash-success")).to_contain_text("Sent again")
    expect(page.locator("section[data-delivery]")).to_have_attribute("data-status", "pending")
    expect(page.locator("dl")).to_contain_text("Resend of")

"""Sign-in, role navigation and sign-out, in a real browser against the live app."""
import re

import pytest

from portal.demo.activity import DEMO_PASSWORD
from portal.demo.seed import DEMO_LOGINS
from portal.web.navigation import nav_for
from tests.browser import expect, save_screenshot, sign_in

pytestmark = pytest.mark.browser

GENERIC_FAILURE = "That email and password do not match an account."
# Wording that would tell an attacker which half of the credentials was wrong.
REVEALING = re.compile(r"unknown email|no account|not registered|wrong password|incorrect password"
                       r"|password is (wrong|incorrect)|email (is )?(wrong|incorrect)", re.I)
ROLES = [pytest.param(email, role, id=role) for email, role, _ in DEMO_LOGINS]


def expected_nav_labels(app, role: str) -> list[str]:
    """What the menu must show: nav_for() over the endpoints the app has registered today."""
    with app.test_request_context():
        labels = [str(label) for _, label in nav_for(role)]  # lazy, English outside a page
    assert labels, f"nav_for({role!r}) is empty: the comparison would prove nothing"
    return labels


@pytest.mark.parametrize(("email", "role"), ROLES)
def test_main_navigation_shows_exactly_the_links_of_the_role(app, page, email, role):
    sign_in(page, email, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("nav.mainnav a")).to_have_text(expected_nav_labels(app, role))


@pytest.mark.parametrize(("email", "role"), ROLES)
def test_every_link_in_the_navigation_opens_a_page(page, email, role, request):
    sign_in(page, email, DEMO_PASSWORD)
    links = page.locator("nav.mainnav a")
    targets = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())]
    for label, href in targets:
        status = page.goto(href).status
        assert status == 200, f"{label} ({href}) answered {status}"
        expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_text(label)
        save_screenshot(page, f"{request.node.name}-{label}")


def test_wrong_password_gets_the_generic_message(page):
    sign_in(page, "admin@demo.test", "not-the-demo-password")
    expect(page.locator(".flash")).to_have_text(re.compile(re.escape(GENERIC_FAILURE)))
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("input[name=password]")).to_have_value("")  # never echoed back
    assert not REVEALING.search(page.locator("body").inner_text())
    expect(page.locator("nav.mainnav")).to_have_count(0)


def test_unknown_email_gets_the_identical_message(page):
    sign_in(page, "admin@demo.test", "not-the-demo-password")
    wrong_password = page.locator(".flash").inner_text()
    sign_in(page, "nobody@demo.test", DEMO_PASSWORD)
    unknown_email = page.locator(".flash").inner_text()
    assert unknown_email == wrong_password
    assert GENERIC_FAILURE in unknown_email
    assert not REVEALING.search(page.locator("body").inner_text())


def test_signing_out_returns_to_sign_in_and_closes_the_portal(page):
    sign_in(page, "agent@demo.test", DEMO_PASSWORD)
    expect(page.locator("nav.mainnav")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator(".flash")).to_contain_text("signed out")
    expect(page.locator("input[name=password]")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("nav.mainnav")).to_have_count(0)

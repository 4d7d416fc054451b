"""Two-step sign-in in a real browser: an admin turns it on (the test's own authenticator computes
the codes), signs out, and signs in again with password and code. Screens of the account pages
are saved at desktop and phone sizes under artifacts/screenshots/accounts/."""
import re
import time

import pyotp
import pytest

from portal.demo.activity import DEMO_PASSWORD
from tests.browser import SCREENSHOTS, expect, sign_in

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def shoot(page, name: str) -> None:
    """The page at both sizes, as artifacts/screenshots/accounts/<name>-<size>.png."""
    folder = SCREENSHOTS / "accounts"
    folder.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size(SIZES["desktop"])


def test_an_admin_turns_on_two_step_sign_in_and_signs_in_with_password_and_code(page):
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    page.get_by_role("link", name="My account").click()
    expect(page.locator("section[data-mfa=off]")).to_be_visible()
    shoot(page, "my-account")
    page.get_by_role("link", name="Set up two-step sign-in").click()
    expect(page.locator(".mfa-qr svg")).to_be_visible()
    shoot(page, "mfa-setup")
    authenticator = pyotp.TOTP(page.locator("[data-secret]").inner_text().replace(" ", ""))
    page.get_by_label("Code shown by the app").fill(authenticator.now())
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on").click()
    expect(page.locator("[data-code]")).to_have_count(10)
    shoot(page, "recovery-codes")
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page.locator("section[data-mfa=on]")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.locator("nav.mainnav")).to_have_count(0)
    shoot(page, "sign-in-code")
    # The enrolment spent this 30-second step; the app's next code is accepted (clock drift).
    page.get_by_label(re.compile("Code from your authenticator app")).fill(authenticator.at(time.time() + 30))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("nav.mainnav")).to_be_visible()


def test_the_security_log_and_the_confirmation_page(page):
    sign_in(page, "agent@demo.test", "not-the-password")
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    page.get_by_role("link", name="Security").click()
    expect(page.locator("tr[data-kind=sign_in_failed]")).to_have_count(1)
    shoot(page, "security-events")
    page.goto("/reauth?next=/callbacks/tokens")
    shoot(page, "reauth")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/callbacks/tokens$"))


def test_the_sign_in_page_after_too_many_attempts(page):
    for _ in range(6):
        sign_in(page, "manager@demo.test", "not-the-password")
    expect(page.locator(".flash")).to_contain_text("Too many sign-in attempts")
    shoot(page, "sign-in-locked")


def test_an_admin_who_must_use_two_step_sign_in_sets_it_up_while_signing_in(app, page, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("admin",))  # as under the production config
    sign_in(page, "admin@demo.test", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    expect(page.locator("nav.mainnav")).to_have_count(0)
    shoot(page, "sign-in-enrol")
    authenticator = pyotp.TOTP(page.locator("[data-secret]").inner_text().replace(" ", ""))
    page.get_by_label("Code shown by the app").fill(authenticator.now())
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on and sign in").click()
    expect(page.locator("[data-code]")).to_have_count(10)
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page.locator("nav.mainnav")).to_be_visible()

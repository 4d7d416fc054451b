"""Browser tests: Playwright driving Debian's Chromium against the live app (marker: browser).

Helpers shared by the fixtures (conftest.py) and the tests live here. The playwright import is
guarded so that a machine without the package still collects; the `browser` fixture then skips
(or, under CI=true, fails) with the reason.
"""
import re
import sys
from pathlib import Path

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    expect = sync_playwright = None

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the real form, the way a person does, and wait for the answer page."""
    page.goto("/login")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()


def follow(page, link) -> None:
    """Click a link and wait for the new page's "load": its deferred scripts (portal.js selects
    "Override" when a value is typed) have run, so what the test types next behaves as for a person."""
    with page.expect_navigation():
        link.click()


def save_screenshot(page, name: str) -> None:
    """Full-page PNG as artifacts/screenshots/<name>.png; a failed capture only says so."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.\[\]-]+", "_", name) + ".png")
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # never hide the test's own result behind a screenshot error
        print(f"could not save screenshot {path}: {exc}", file=sys.stderr)

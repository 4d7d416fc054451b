"""German pages in Chromium: long German words must not widen any page (phone 390 px, laptop
1366 px), and five of them are kept as screenshots at both sizes for a person to look at
(artifacts/screenshots/german/)."""
import pytest

from tests.browser import SCREENSHOTS
from tests.browser.pages import ADMIN, VIEWPORTS, demo_ids, pages_for
from tests.browser.test_conformance import signed_in, too_wide

pytestmark = [pytest.mark.browser, pytest.mark.language("de")]
SHOTS = SCREENSHOTS / "german"
FIVE = ("policy tree", "policy editor, branch", "cancel preview", "callback queue", "notification matrix, branch")


@pytest.fixture
def ids(app, demo):
    with app.app_context():
        return demo_ids()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_german_pages_fit_and_five_are_kept_as_screenshots(browser, live_url, ids, viewport):
    context, page = signed_in(browser, live_url, ADMIN, viewport)
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    try:
        for entry in pages_for(ADMIN):
            page.goto(entry.url(ids))
            assert page.locator("html").get_attribute("lang") == "de", entry.name
            overflow = too_wide(page)
            if overflow:
                wide[entry.name] = overflow
            if entry.name in FIVE:
                page.screenshot(path=str(SHOTS / f"{entry.name.replace(' ', '-').replace(',', '')}-{viewport}.png"),
                                full_page=True)
    finally:
        context.close()
    assert wide == {}

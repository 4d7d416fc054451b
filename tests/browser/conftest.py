"""Fixtures for the browser tests: the session app on a real port, one Chromium, a page per test.
Under pytest-xdist each worker has its own app, database, Chromium and live server (port 0: the
OS picks a free one), so workers never collide and the browser tests spread over them like the rest.

No browser is ever downloaded (`playwright install` cannot reach the internet here): the launch
always points at Debian's Chromium.
"""
import threading
from pathlib import Path

import pytest
from sqlalchemy import update
from werkzeug.serving import make_server

from portal.demo.seed import seed_demo
from portal.extensions import db
from portal.models import User
from tests.browser import save_screenshot, sync_playwright
from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out, and this network refuses it.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session; each test gets its own context."""
    require(CHROMIUM.exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    require(sync_playwright is not None, "the playwright package (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class InFlight:
    """WSGI wrapper that counts requests being served, so a test can wait until the server is idle:
    a request the browser sent just before the test ended must not write (say, a cached page)
    after the database and cache were wiped for the next test, whose new rows reuse the ids."""

    def __init__(self, app):
        self.app, self.count, self.idle = app, 0, threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:
            return list(self.app(environ, start_response))  # the whole body, inside the count
        finally:
            with self.idle:
                self.count -= 1
                self.idle.notify_all()

    def wait_until_idle(self, timeout: float = 10) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.count == 0, timeout)


@pytest.fixture(scope="session")
def live_server(app):
    """The session app served by werkzeug from a background thread: (base URL, its in-flight counter)."""
    in_flight = InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)  # port 0: the OS picks a free one
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", in_flight
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def live_url(live_server):
    """Base URL of the live server."""
    return live_server[0]


@pytest.fixture
def demo(app, request):
    """The demo company and its logins; the root conftest wipes the tables after each test. The
    demo company speaks German; its users read English here unless the test is marked
    `@pytest.mark.language("de")`."""
    marker = request.node.get_closest_marker("language")
    with app.app_context():
        seed_demo()
        db.session.execute(update(User).values(language=marker.args[0] if marker else "en"))
        db.session.commit()


@pytest.fixture
def page(browser, live_server, demo, request):
    """A fresh page with its own cookies on the live server. Its screenshot is saved after the
    test, passed or failed, as artifacts/screenshots/<test name>.png."""
    url, _ = live_server
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    save_screenshot(page, request.node.name)
    context.close()


@pytest.fixture(autouse=True)
def _live_server_idle_before_the_wipe(request):
    """After a browser test (and before the root conftest wipes database and cache), wait until
    the live server has answered everything the browser sent."""
    yield
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server")[1].wait_until_idle()

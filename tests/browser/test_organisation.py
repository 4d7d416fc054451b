"""A real company from nothing, as a new user would: `flask companies create`, the admin's one-time
link, the organisation built in the portal, a branch rule inherited down the tree, and the new
manager and agent signing in with their own links to see only what their role allows."""
import re

import pytest

from tests.browser import expect, follow, save_screenshot, sign_in

pytestmark = pytest.mark.browser

LINK = re.compile(r"/set-password/\S+")
SHOTS = "org/"
BRANCHES = (("Salzburg Altstadt", "Salzburg"), ("Linz Hafen", "Linz"))
SERVICES = (("Schnitt", "38.00", "30", (0, 1)), ("Färben", "92.50", "90", (0,)), ("Bart", "19.00", "20", (1,)))
STAFF = (("Lena Lang", 0, ("Schnitt", "Färben")), ("Mo Maier", 0, ("Schnitt",)),
         ("Nora Novak", 1, ("Schnitt", "Bart")), ("Otto Ort", 1, ("Bart",)))


def set_password(page, path: str, password: str) -> None:
    page.goto(path)
    page.fill("#password", password)
    page.fill("#confirmation", password)
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".flash-success")).to_contain_text("Your password is set")


def submit(page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator(".flash-success, [data-one-time-link]").first).to_be_visible()


def build_organisation(page) -> None:
    for name, city in BRANCHES:
        page.goto("/organisation/branches/new")
        page.fill("#name", name)
        page.fill("#city", city)
        submit(page, "Create branch")
    for name, price, minutes, offered_at in SERVICES:
        page.goto("/organisation/services/new")
        page.fill("#name", name)
        page.fill("#price", price)
        page.fill("#duration_minutes", minutes)
        for index in offered_at:
            page.get_by_label(BRANCHES[index][0]).check()
        submit(page, "Create service")
    for name, branch, performs in STAFF:
        page.goto("/organisation/staff/new")
        page.fill("#name", name)
        page.select_option("#branch_id", label=BRANCHES[branch][0])
        for service in performs:
            page.get_by_label(service, exact=True).check()
        submit(page, "Create staff member")


def invite(page, email: str, name: str, role: str, **choice) -> str:
    page.goto("/admin/users/new")
    page.fill("#email", email)
    page.fill("#name", name)
    page.select_option("#role", label=role)
    for field, label in choice.items():
        page.select_option(f"#{field}", label=label)
    page.get_by_role("button", name="Create user").click()
    link = page.locator("[data-link]").inner_text()
    return LINK.search(link).group(0)


def test_a_new_company_starts_from_the_command_line_and_its_people_sign_in(app, page):
    result = app.test_cli_runner().invoke(args=[
        "companies", "create", "--name", "Salon Berger", "--slug", "salon-berger", "--timezone", "Europe/Vienna",
        "--region", "AT", "--language", "en", "--admin-email", "eva@berger.test", "--admin-name", "Eva Berger"])
    assert result.exit_code == 0, result.output
    set_password(page, LINK.search(result.output).group(0), "tall-green-lantern-47")
    sign_in(page, "eva@berger.test", "tall-green-lantern-47")
    page.locator("nav.mainnav a", has_text="Organisation").click()
    expect(page.locator("[data-stat=branches]")).to_have_text("0")
    save_screenshot(page, SHOTS + "start-empty-company")

    build_organisation(page)
    manager_link = invite(page, "max@berger.test", "Max Berger", "Branch manager", branch_id=BRANCHES[0][0])
    save_screenshot(page, SHOTS + "user-created-link")
    agent_link = invite(page, "ali@berger.test", "Ali Agent", "Support agent", staff_id="Otto Ort · Linz Hafen")

    page.goto("/policies/?type=cancellation")
    follow(page, page.locator(".node-branch .node-name", has_text=BRANCHES[0][0]))
    page.fill("input[name=value_hours_before]", "48")
    page.get_by_role("button", name="Preview impact").click()
    expect(page.locator(".impact")).to_contain_text("nodes would get different effective values")
    expect(page.locator("[data-impact-changed]")).not_to_have_attribute("data-impact-changed", "0")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash-success")).to_contain_text("Saved")

    page.goto("/policies/?type=cancellation")
    tree = page.locator("#policy-tree")
    for name, _ in BRANCHES:
        expect(tree.locator(".node-branch .node-name", has_text=name)).to_have_count(1)
    salzburg = tree.locator("li.node-branch", has=page.locator(".node-name", has_text=BRANCHES[0][0]))
    for service in ("Schnitt", "Färben"):
        node = salzburg.locator("li.node-service", has=page.locator(".node-name", has_text=service)).first
        cell = node.locator(".cell", has=page.locator("dt", has_text="Hours before")).first
        expect(cell).to_contain_text("48 h")
        expect(cell).to_contain_text(f"inherited from Branch {BRANCHES[0][0]}")
    page.get_by_role("button", name="Expand all").click()
    for name, branch, _ in STAFF:
        staff_node = tree.locator("li.node-staff", has=page.locator(".node-name", has_text=name)).first
        expect(staff_node).to_be_visible()
        hours = staff_node.locator(".cell", has=page.locator("dt", has_text="Hours before")).first
        expect(hours).to_contain_text(f"inherited from Branch {BRANCHES[0][0]}" if branch == 0 else "not set")
    save_screenshot(page, SHOTS + "tree-of-the-new-company")
    page.get_by_role("button", name="Sign out").click()

    set_password(page, manager_link, "quiet-harbour-violet-93")
    sign_in(page, "max@berger.test", "quiet-harbour-violet-93")
    expect(page.locator("nav.mainnav a", has_text="Users")).to_have_count(0)
    page.locator("nav.mainnav a", has_text="Organisation").click()
    expect(page.locator("h1")).to_contain_text(BRANCHES[0][0])
    expect(page.locator("[data-read-only]")).to_be_visible()
    assert page.goto("/admin/users").status == 403
    assert page.goto("/organisation/company").status == 403
    page.goto("/policies/?type=cancellation&branch=")  # managers start on their branch; all of them
    expect(page.locator(".node-branch .node-name", has_text=BRANCHES[1][0])).to_have_count(1)  # read, not edit
    page.locator(".node-branch .node-name", has_text=BRANCHES[1][0]).click()
    expect(page.locator(".notice")).to_contain_text("another branch")
    save_screenshot(page, SHOTS + "manager-reads-another-branch")
    page.get_by_role("button", name="Sign out").click()

    set_password(page, agent_link, "copper-meadow-signal-58")
    sign_in(page, "ali@berger.test", "copper-meadow-signal-58")
    expect(page.locator("nav.mainnav a", has_text="Organisation")).to_have_count(0)
    assert page.goto("/organisation/").status == 403
    page.goto("/callbacks/")
    expect(page.locator("h1")).to_have_text("Callbacks")
    assert page.goto(manager_link).status == 410  # a used link stays used


PAGES = (
    ("organisation", "/organisation/"), ("company", "/organisation/company"),
    ("branches", "/organisation/branches?inactive=1"), ("branch", "/organisation/branches/{branch}"),
    ("branch-new", "/organisation/branches/new"), ("branch-deactivate", "/organisation/branches/{branch}/deactivate"),
    ("services", "/organisation/services"), ("service", "/organisation/services/{service}"),
    ("staff-list", "/organisation/staff"), ("staff", "/organisation/staff/{staff}"),
    ("import", "/organisation/import"), ("users", "/admin/users"), ("user", "/admin/users/{user}"),
    ("user-new", "/admin/users/new"), ("tree-inactive", "/policies/?type=cancellation&inactive=1"),
    ("notifications-inactive", "/notifications/branch/{branch}?inactive=1"),
    ("set-password", "/set-password/{token}"),
)


def test_every_new_page_at_desktop_and_phone_width(app, browser, live_url, demo):
    """Screenshots of every organisation and users page at 1366×768 and 390×844, for people to look
    at (artifacts/screenshots/org/); each page also must answer 200 and fit the phone's width."""
    from portal.extensions import db
    from portal.models import Branch, Service, Staff, User
    from tests.browser import SCREENSHOTS

    with app.app_context():
        ids = {"branch": db.session.scalar(db.select(Branch.id).where(Branch.name == "Hamburg Altona")),
               "service": db.session.scalar(db.select(Service.id).where(Service.name == "Colouring")),
               "staff": db.session.scalar(db.select(Staff.id).where(Staff.name == "Alex Agent")),
               "user": db.session.scalar(db.select(User.id).where(User.email == "agent@demo.test"))}
        # something deactivated, so "show inactive" has marks to show
        db.session.scalar(db.select(Staff).where(Staff.name == "Lena Becker")).is_active = False
        db.session.scalar(db.select(Service).where(Service.name == "Physiotherapy")).is_active = False
        from portal.models import utcnow
        from portal.services.organisation.links import issue_link
        ids["token"] = issue_link(db.session.get(User, ids["user"]), "welcome", None, utcnow())
        db.session.commit()
    folder = SCREENSHOTS / "org"
    folder.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("desktop", {"width": 1366, "height": 768}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(base_url=live_url, viewport=viewport)
        page = context.new_page()
        sign_in(page, "admin@demo.test", "demo-password")
        for name, path in PAGES:
            response = page.goto(path.format(**ids))
            assert response.status == 200, path
            if name == "import":
                page.set_input_files("#file", files=[{"name": "org.csv", "mimeType": "text/csv", "buffer": (
                    "kind,external_id,name,city,price,duration_minutes,branches,home_branch,services\n"
                    "branch,BER-MITTE,Berlin Mitte,Berlin,,,,,\nbranch,,Köln Dom,Köln,,,,,\n"
                    "service,SVC-02,Colouring,,95.00,90,BER-MITTE; Köln Dom,,\nservice,,Nails,,12.5x,30,,,\n"
                    "staff,,Kai Köhler,,,,,Köln Dom,Colouring; Nails\n").encode()}])
                page.get_by_role("button", name="Preview").click()
            page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than the {size} screen"
        context.close()

"""A manager works in German, and in English: walks the policy tree, edits a rule, cancels an
appointment with a forced override; every page on the way shows only words of their language.

The demo company speaks German (default_language de); each run sets every user's own language.
Words are judged as tests/web/test_german_pages.py does: words of the other language's catalog
that this language's translations never use. Names of the demo's records are allowed.
"""
import re

import pytest
from sqlalchemy import select, update

from portal.demo.activity import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Branch, Company, Customer, Service, Staff, User
from portal.translations.catalogs import read
from tests.browser import expect, save_screenshot, sign_in
from tests.browser.test_appointments import CUSTOMER, MANAGER, late_appointment  # noqa: F401 (fixture)
from tests.web.test_german_pages import ALLOWLIST, WORD, english_words

pytestmark = pytest.mark.browser
GERMAN = {message.id: message.string for message in read("de") if message.id and isinstance(message.id, str)}


def german_only_words() -> set[str]:
    english, german = set(), set()
    for msgid, text in GERMAN.items():
        english |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)s", " ", msgid))}
        german |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)s", " ", text or ""))}
    return german - english - ALLOWLIST


@pytest.fixture(params=["de", "en"])
def language(request, app, late_appointment):  # noqa: F811 (the fixture imported above)
    """Every demo user, and the Altona manager of the late appointment, reads `language`."""
    with app.app_context():
        db.session.execute(update(User).values(language=request.param))
        db.session.commit()
    return request.param


def record_names(app) -> set[str]:
    """Words of the demo's own names (branches, services, staff, customers, users, company)."""
    with app.app_context():
        names = []
        for column in (Branch.name, Service.name, Staff.name, Customer.name, User.name, Company.name):
            names += db.session.scalars(select(column)).all()
    return {word.lower() for name in names for word in WORD.findall(name or "")}


def check_words(page, language: str, foreign: set[str], names: set[str], where: str) -> None:
    text = page.locator("body").inner_text()
    text = text.replace("Appointment Policy Portal", "").replace("Policy Portal", "")
    words = {word.lower().strip("'’-") for word in WORD.findall(text)}
    found = sorted(words & foreign - names)
    lines = [line for line in text.splitlines()
             if {word.lower() for word in WORD.findall(line)} & set(found)][:8]
    assert found == [], f"{where} ({language}): words of the other language: {found} in {lines}"


def test_a_manager_works_in_their_language(page, app, language, late_appointment):  # noqa: F811
    say = (lambda text: GERMAN[text]) if language == "de" else (lambda text: text)
    foreign = english_words() if language == "de" else german_only_words()
    names = record_names(app)

    sign_in(page, "manager@demo.test", DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", language)
    check_words(page, language, foreign, names, "dashboard")

    page.locator("nav.mainnav a[data-nav='policies.tree']").click()
    expect(page.locator("h1")).to_contain_text(say("Policies"))
    check_words(page, language, foreign, names, "policy tree")
    save_screenshot(page, f"language-{language}-policy-tree")

    page.locator(".node-branch .node-name", has_text="Berlin Mitte").click()
    expect(page.locator("h1")).to_contain_text("Berlin Mitte")
    check_words(page, language, foreign, names, "policy editor")
    page.fill("input[name=value_hours_before]", "36")
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator(".impact")).to_be_visible()
    check_words(page, language, foreign, names, "impact preview")
    page.locator("button[name=action][value=save]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    check_words(page, language, foreign, names, "saved rule")
    save_screenshot(page, f"language-{language}-policy-saved")

    page.locator("form:has(button) button.link-button", has_text=say("Sign out")).click()
    sign_in(page, MANAGER, DEMO_PASSWORD)
    page.locator("nav.mainnav a[data-nav='appointments.index']").click()
    check_words(page, language, foreign, names, "appointments")
    page.fill("input[name=customer]", "Spätabsage")
    page.locator("form:has(input[name=customer]) [type=submit]").first.click()
    page.locator(".appt-table a", has_text=CUSTOMER).first.wait_for()
    page.locator(f"a[href='/appointments/{late_appointment}']").click()
    expect(page.locator("h1")).to_contain_text(CUSTOMER)
    check_words(page, language, foreign, names, "appointment")

    page.get_by_role("link", name=say("Cancel appointment…")).click()
    decision = page.locator(".decision")
    expect(decision).to_contain_text(say("Denied by the rules") if language == "en" else "abgelehnt")
    expect(decision.locator(".decision-fee")).to_contain_text("15,00 €" if language == "de" else "€15.00")
    check_words(page, language, foreign, names, "cancel preview")
    save_screenshot(page, f"language-{language}-cancel-denied")

    page.get_by_label(say("Override the rules and record this as out of policy")).check()
    page.locator("textarea[name=reason]").fill("Kunde rief aus dem Krankenhaus an" if language == "de" else "Customer called from hospital")
    page.get_by_role("button", name=say("Confirm cancellation")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "cancelled")
    check_words(page, language, foreign, names, "cancelled appointment")
    save_screenshot(page, f"language-{language}-cancelled")

"""Every page in German: no English UI words outside an allowlist (names, codes, brand).

The walk is tests/test_access.py's (every GET route, with records of a small company), signed in
as the admin of a company whose default language is German. A page's text is what a person sees
or hears: visible text plus title, placeholder, aria-label, alt and data-label attributes.

English words are those of the English catalog's messages that no German translation uses, plus
English words that appear in no catalog at all (text never marked for translation).
"""
import re
from html.parser import HTMLParser

from portal.translations.catalogs import read
from tests.test_access import app_rules, build_url, record_args

# Words that are German too, or names, codes and brands the pages show as they are.
ALLOWLIST = {
    "policy", "portal", "admin", "administrator", "api", "csv", "sms", "whatsapp", "push", "email", "e-mail",
    "english", "deutsch", "utc", "sla", "id", "ids", "ok", "north", "south", "cut", "dye", "ann", "bob", "cy",
    "company", "customer", "min", "status", "details", "name", "normal", "import", "export", "token", "tokens",
    "plan", "trend", "person", "service", "staff", "branch", "manager", "agent", "support", "default", "europe",
    "berlin", "vienna", "zurich", "json", "url", "post", "get", "bearer", "curl", "http", "https", "qr",
    "freeotp", "aegis", "google", "microsoft", "authenticator", "app", "team", "code", "codes",
    "external_id", "branch_id", "service_id", "staff_id", "kind", "combined", "true", "false",
    "min_hours", "fee", "fee_percentage", "unlimited", "cancellation", "reschedule", "recurring", "callback",
    "mo", "di", "mi", "do", "fr", "sa", "so",  # German weekdays, abbreviated ("Do., 03.12.2026")
    "mozilla", "iphone", "cpu", "ios", "mac", "os", "like", "safari", "firefox", "chrome", "windows", "linux",
    "example",  # a user agent as sent, the example link of a delivery plan
    "password", "help",  # a security event's stored detail (the method used), a test callback's note
}
# Common English words that no German page should show, whether or not they are in a catalog.
FUNCTION_WORDS = {"the", "and", "with", "this", "from", "not", "your", "for", "has", "was", "are", "you",
                  "of", "to", "is", "be", "by", "or", "no", "yes", "all", "any", "set", "here", "none"}
WORD = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß'’-]+")
SPOKEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-label")


class PageText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre", "svg") and tag != "svg":
            self.skip += 1
        self.parts += [value for name, value in attrs if name in SPOKEN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


BRAND = ("Appointment Policy Portal", "Policy Portal")


def page_words(html: str) -> set[str]:
    for brand in BRAND:
        html = html.replace(brand, " ")
    parser = PageText()
    parser.feed(html)
    return {word.lower().strip("'’-") for part in parser.parts for word in WORD.findall(part)}


def english_words() -> set[str]:
    english, german = set(), set()
    for message in read("de"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            english |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)s", " ", text))}
        for text in strings:
            german |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)s", " ", text or ""))}
    return (english - german - ALLOWLIST) | (FUNCTION_WORDS - german)


def german_pages(app, client, make):
    """(url, html) of every page the admin of a German company can open."""
    world = make.world()
    with app.app_context():
        from portal.extensions import db
        from portal.models import Company
        db.session.get(Company, world.company.id).default_language = "de"
        db.session.commit()
    client.login(world.admin.email)
    args = record_args(make, world)
    for rule in app_rules(app):
        if "GET" not in rule.methods or rule.endpoint.startswith(("main.healthz", "main.livez")):
            continue
        url = build_url(app, rule, args)
        response = client.get(url)
        body = response.get_data(as_text=True)  # read whole: a streamed CSV keeps its context until then
        if response.status_code == 200 and response.mimetype == "text/html":
            yield url, body


def test_every_page_in_german_shows_no_english_words(app, client, make):
    english = english_words()
    found = {}
    pages = 0
    for url, html in german_pages(app, client, make):
        pages += 1
        assert '<html lang="de">' in html, url
        words = sorted(page_words(html) & english)
        if words:
            found[url] = words
    assert pages > 30
    assert found == {}, found


# Pages that refuse a value (a form re-rendered with the message beside the field, or an error page
# naming the field): the parsers' and the services' messages are German too.
REFUSED_PAGES = [
    ("/appointments/?date_from=2026-02-30", "ist kein Datum, das es im Kalender gibt"),
    ("/appointments/?date_to=9999-12-31", "muss ein Datum vom 1900-01-01 bis zum 2199-12-31 sein"),
    ("/appointments/?customer=" + "x" * 101, "ist zu lang: 101 Zeichen, höchstens 100"),
    ("/callbacks/?branch=%C2%B2", "ist keine Datensatz-ID"),
    ("/callbacks/?page=%C2%B2", "muss eine ganze Zahl aus den Ziffern 0–9 sein"),
    ("/policies/simulator?hours=zw%C3%B6lf", "Die Stunden Vorlauf müssen eine Zahl"),
]


def test_a_refusal_in_german_shows_no_english_words(app, client, make):
    company = make.company(default_language="de")
    client.login(make.user(company, role="admin").email)
    english = english_words()
    found = {}
    for url, german in REFUSED_PAGES:
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert german in html, url
        words = sorted(page_words(html) & english)
        if words:
            found[url] = words
    assert found == {}, found

"""Refusals in the page's language: the parsers' messages (domain Messages with parameters), the
form fields and request values that name them, the services' checks, and amounts of money.

The JSON API stays English whatever Accept-Language says: its reference is English.
"""
import io
import json
import pickle
import re
from decimal import Decimal

import pytest

from portal.domain.callbacks import refusal as refusal_of
from portal.domain.messages import M_, english
from portal.domain.parsing import InputError, parse_date, parse_decimal, parse_int
from portal.translations.runtime import translated
from portal.web.fields import field_problem
from portal.web.templating import money
from tests.callbacks.support import add_callback, add_token
from tests.html import page
from tests.web.test_german_pages import WORD, english_words, page_words

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ENGLISH = {"Accept-Language": "en"}
TOKEN = "cbt_german-messages-1234567890"


def refusal(parse, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        parse(*args, **kwargs)
    return caught.value


def english_in(html: str) -> list[str]:
    """The English words a German page shows (tests/web/test_german_pages.py's rule)."""
    return sorted(page_words(html) & english_words())


@pytest.fixture
def german_admin(client, make):
    company = make.company(default_language="de")
    client.login(make.user(company, role="admin").email)
    return client


# --- the parsers' messages -------------------------------------------------------------------------

def test_a_parser_refusal_is_german_under_a_german_request_and_english_under_an_english_one(app):
    problem = refusal(parse_int, "²")
    with app.test_request_context(headers=GERMAN):
        assert translated(problem.message) == "muss eine ganze Zahl aus den Ziffern 0–9 sein, nicht '²'"
        assert str(problem) == "muss eine ganze Zahl aus den Ziffern 0–9 sein, nicht '²'"
    with app.test_request_context(headers=ENGLISH):
        assert translated(problem.message) == "must be a whole number written with the digits 0–9, not '²'"
    # outside a request (logs, commands) the English text, as before
    assert str(problem) == "must be a whole number written with the digits 0–9, not '²'"


def test_a_parser_refusal_keeps_its_values_and_says_numbers_in_the_locales_form(app):
    problem = refusal(parse_decimal, "5000", minimum=Decimal("0.50"), maximum=Decimal("1000.00"))
    with app.test_request_context(headers=GERMAN):
        assert translated(problem.message) == "muss zwischen 0,50 und 1.000,00 liegen"
    with app.test_request_context(headers=ENGLISH):
        assert translated(problem.message) == "must be between 0.50 and 1000.00"
    day = refusal(parse_date, "2026-02-30")
    with app.test_request_context(headers=GERMAN):
        assert translated(day.message) == "'2026-02-30' ist kein Datum, das es im Kalender gibt"


def test_a_message_built_in_a_german_request_keeps_its_english_text(app):
    """What logs, JSON, the cache and stored metadata keep is English; the page translates."""
    with app.test_request_context(headers=GERMAN):
        message = M_("%(field)s %(problem)s.", field=M_("Page"), problem=refusal(parse_int, "x").message)
        assert english(message) == "Page must be a whole number written with the digits 0–9, not 'x'."
        assert translated(message) == "Seite muss eine ganze Zahl aus den Ziffern 0–9 sein, nicht 'x'."


def test_a_form_field_puts_its_label_before_the_parsers_phrase_in_either_language(app):
    problem = refusal(parse_int, "x", maximum=10)
    with app.test_request_context(headers=GERMAN):
        message = field_problem("Anzahl", problem)
        assert translated(message) == "Anzahl muss eine ganze Zahl aus den Ziffern 0–9 sein, nicht 'x'."
    with app.test_request_context(headers=ENGLISH):
        assert translated(field_problem("Count", problem)) == (
            "Count must be a whole number written with the digits 0–9, not 'x'.")


def test_a_callback_refusal_says_state_and_action_in_german_and_survives_a_copy(app):
    refused = refusal_of("completed", "claim", "agent")
    assert str(refused) == "A completed callback cannot be claimed; only pending or assigned ones can."
    copied = pickle.loads(pickle.dumps(refused))  # flashed or cached: the context words stay theirs
    with app.test_request_context(headers=GERMAN):
        expected = ("Ein Rückruf im Status „erledigt“ kann nicht übernommen werden; das geht nur im Status "
                    "ausstehend oder zugewiesen.")
        assert translated(refused) == expected
        assert translated(copied) == expected
        assert translated(refusal_of("pending", "assign", "agent")) == (
            "Kundenbetreuung: Rückrufe zuweisen ist nicht erlaubt.")


# --- German pages that refuse a value --------------------------------------------------------------

def test_a_bad_number_in_a_german_form_is_refused_beside_the_field_in_german(german_admin):
    response = german_admin.get("/policies/simulator", query_string={"hours": "zwölf"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Die Stunden Vorlauf müssen eine Zahl innerhalb eines Jahres" in page(response).text
    assert english_in(html) == []


def test_too_long_text_in_a_german_filter_form_is_refused_beside_the_field_in_german(german_admin):
    response = german_admin.get("/appointments/", query_string={"customer": "x" * 101})
    assert response.status_code == 400
    assert "Kunde ist zu lang: 101 Zeichen, höchstens 100." in page(response).text
    assert english_in(response.get_data(as_text=True)) == []


def test_a_bad_date_in_a_german_filter_is_refused_in_german(german_admin):
    response = german_admin.get("/appointments/", query_string={"date_from": "2026-02-30"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "'2026-02-30' ist kein Datum, das es im Kalender gibt." in page(response).text
    assert english_in(html) == []
    response = german_admin.get("/appointments/", query_string={"date_to": "9999-12-31"})
    assert "muss ein Datum vom 1900-01-01 bis zum 2199-12-31 sein" in page(response).text


def test_a_bad_query_value_is_a_german_error_page_naming_the_field(german_admin):
    response = german_admin.get("/callbacks/", query_string={"branch": "²"})
    assert response.status_code == 400
    message = page(response).one(data_error_message=True).text
    assert message == "Filiale: '²' ist keine Datensatz-ID (eine ganze Zahl ab 1)."
    assert english_in(response.get_data(as_text=True)) == []
    response = german_admin.get("/callbacks/", query_string={"page": "²"})
    assert page(response).one(data_error_message=True).text.startswith(
        "Seite: muss eine ganze Zahl aus den Ziffern 0–9 sein")


def test_a_too_long_token_name_is_refused_in_german(german_admin):
    response = german_admin.submit("/callbacks/tokens", {"name": "x" * 101})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Der Name ist zu lang: 101 Zeichen, höchstens 100." in html
    assert english_in(html) == []


def test_the_callback_form_explains_its_refusals_in_german(german_admin, make):
    response = german_admin.get("/callbacks/new")
    assert response.status_code == 200
    response = german_admin.submit("/callbacks/new", {
        "customer_name": "", "phone_number": "12", "branch_id": "999999", "priority": "normal",
        "notes": "x" * 2001, "window_start": "2026-12-01T15:00", "window_end": "2026-12-01T14:00"})
    assert response.status_code == 400
    errors = " ".join(error.text for error in page(response).find_all("p", id=True)
                      if error["id"].endswith("-error"))
    for message in ("Geben Sie den Namen des Kunden ein.", "ist keine gültige Telefonnummer",
                    "Unbekannte Filiale.", "Die Notiz ist zu lang: 2001 Zeichen, höchstens 2000.",
                    "Das gewünschte Zeitfenster muss nach seinem Beginn enden."):
        assert message in errors, message
    assert english_in(response.get_data(as_text=True)) == []


def test_a_csv_import_preview_explains_its_errors_in_german(german_admin):
    text = "name,price,duration_minutes\nCut,12.5x,30\nCut,,0\n"
    response = german_admin.submit("/organisation/import", {
        "action": "preview", "kind": "service", "file": (io.BytesIO(text.encode()), "org.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    preview = page(response)
    assert "„12.5x“ ist kein Betrag in Euro" in preview.one("tr", data_line=2).text
    assert "„0“ ist keine Dauer: Geben Sie ganze Minuten von 1 bis 1440 an." in preview.one(
        "tr", data_line=3).text
    assert english_in(response.get_data(as_text=True)) == []


def test_a_csv_import_preview_says_its_changes_in_german(client, make):
    company = make.company(default_language="de")
    make.branch(company, name="North")
    client.login(make.user(company, role="admin").email)
    response = client.submit("/organisation/import", {
        "action": "preview", "kind": "branch", "file": (io.BytesIO(b"name,city\nNorth,Bremen\n"), "org.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    row = page(response).one("tr", data_line=2).text
    assert "Ort — → Bremen" in row
    assert "ändern" in row
    # the page itself holds the file as sent (its English column names) for the apply button
    rows = " ".join(line.text for line in page(response).find_all("tr", data_line=True))
    assert sorted({word.lower() for word in WORD.findall(rows)} & english_words()) == []


def test_a_callbacks_page_says_its_state_priority_and_attempts_in_german(app, client, make):
    world = make.world()
    with app.app_context():
        from portal.extensions import db
        from portal.models import Company
        db.session.get(Company, world.company.id).default_language = "de"
        db.session.commit()
    assigned = add_callback(app, world, status="assigned", priority="urgent", assignee=world.ann)
    cancelled = add_callback(app, world, status="cancelled")
    client.login(world.admin.email)
    html = client.get(f"/callbacks/{assigned.id}").get_data(as_text=True)
    assert "(Versuch 1 von 3)" in html
    assert "(SLA für Dringend:" in page(client.get(f"/callbacks/{assigned.id}")).text
    assert english_in(html) == []
    html = client.get(f"/callbacks/{cancelled.id}").get_data(as_text=True)
    assert "Nichts zu tun: Dieser Rückruf ist abgesagt." in html
    assert english_in(html) == []


def test_a_german_template_preview_is_filled_with_german_samples(german_admin):
    def preview(language):
        response = german_admin.get("/deliveries/templates", query_string={"event": "reminder_24h",
                                                                           "language": language})
        return page(response).one(data_part="text").text

    german = preview("de")
    assert re.search(r"Haarschnitt am \w\w\., \d{1,2}\. \w+\.? \d{4}, \d\d:\d\d", german), german
    assert "Haircut" in preview("en")


# --- money --------------------------------------------------------------------------------------------

def test_money_is_said_in_the_locales_form(app):
    with app.test_request_context(headers=GERMAN):
        assert money(Decimal("1234.5")) == "1.234,50\xa0€"
    with app.test_request_context(headers=ENGLISH):
        assert money(Decimal("15")) == "€15.00"
        assert money(None) == "—"


# --- the API stays English ------------------------------------------------------------------------

def test_the_api_answers_in_english_whatever_language_is_asked_for(app, client, world):
    add_token(app, world, TOKEN)
    headers = {"Authorization": f"Bearer {TOKEN}", **GERMAN}
    deep = client.post("/api/v1/callbacks", data="[" * 100, content_type="application/json", headers=headers)
    assert deep.status_code == 400
    assert "it is nested too deeply: at most 4 levels." in deep.get_json()["detail"]
    body = {"customer_name": "", "phone_number": "030 1234567", "branch_id": "²"}
    refused = client.post("/api/v1/callbacks", data=json.dumps(body), content_type="application/json",
                          headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["fields"] == {"customer_name": "Enter the customer's name.",
                                            "branch_id": "Unknown branch."}
    assert "customer_name: Enter the customer's name.; branch_id: Unknown branch." in refused.get_json()["detail"]


def test_the_sign_in_prompt_follows_the_browsers_language(client):
    german = client.get("/callbacks/", headers=GERMAN, follow_redirects=True).get_data(as_text=True)
    assert "Bitte melden Sie sich an, um fortzufahren." in german
    english = client.get("/callbacks/", headers=ENGLISH, follow_redirects=True).get_data(as_text=True)
    assert "Please sign in to continue." in english


def test_an_amount_inside_a_message_is_said_in_the_locales_form_in_both_languages(app):
    """English pages skip the catalog for Messages (its msgids are the English text), not the
    rendering of their parameters: a fee inside a sentence still reads €15.00."""
    from portal.domain.messages import M_, Money
    from portal.translations.runtime import translated

    message = M_("The fee is %(fee)s.", fee=Money(Decimal("15.00")))
    with app.test_request_context(headers=ENGLISH):
        assert translated(message) == "The fee is €15.00."
    assert str.__str__(message) == "The fee is 15.00 EUR."  # the stored text, for logs and JSON


def test_messages_said_again_in_a_page_are_said_the_same_and_never_confused(app):
    """A page's messages are said once per locale and kept (runtime._said): a message with an
    amount and one with the same text as plain words, or the same one in another locale, are
    each said as themselves."""
    from flask_babel import force_locale

    from portal.domain.messages import M_, Money

    amount = M_("The fee is %(fee)s.", fee=Money(Decimal("15.00")))
    words = M_("The fee is %(fee)s.", fee="15.00 EUR")
    with app.test_request_context(headers=GERMAN):
        assert translated(amount) == translated(amount) == "The fee is 15,00\xa0€."
        assert translated(words) == "The fee is 15.00 EUR."
        with force_locale("en"):
            assert translated(amount) == "The fee is €15.00."
        assert translated(M_("Open")) == "Offen"

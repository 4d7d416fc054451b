"""Languages: who decides the language of a page, the header switch, and the catalogs' completeness."""
from portal.extensions import db
from portal.models import User
from portal.translations.catalogs import problems
from portal.web.i18n import COOKIE


def test_the_german_catalog_has_every_message_of_the_code_translated():
    """The CI check: extract every message (babel.cfg) and find none missing, empty or fuzzy in
    the German catalog, and no translation whose placeholders differ. Fix: ./dev.sh translations,
    then translate the new entries in portal/translations/de/LC_MESSAGES/messages.po."""
    assert problems("de") == []


def test_anonymous_pages_follow_the_browser_then_the_switch_cookie(client):
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="de">' in german
    assert "Zum Inhalt springen" in german
    token = client.csrf_token("/login")
    response = client.post("/language", data={"language": "de", "next": "/login", "csrf_token": token})
    assert response.status_code == 302
    assert response.location == "/login"
    assert COOKIE in response.headers.get("Set-Cookie", "")
    assert '<html lang="de">' in client.get("/login").get_data(as_text=True)


def test_a_company_default_is_overruled_by_the_users_own_choice(app, client, make):
    company = make.company(default_language="de")
    user = make.user(company, role="admin")
    client.login(user.email)
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert ">Übersicht<" in page
    response = client.submit("/language", {"language": "en", "next": "/policies"})
    assert response.status_code == 302
    assert response.location == "/policies"
    with app.app_context():
        assert db.session.get(User, user.id).language == "en"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert ">Dashboard<" in page


def test_the_switch_refuses_unknown_languages_and_foreign_destinations(client, world):
    client.login(world.admin.email)
    refused = client.submit("/language", {"language": "fr"})
    assert refused.status_code == 400
    assert "Deutsch (de)" in refused.get_data(as_text=True)
    for target in ("https://evil.example/", "//evil.example/x", "\\\\evil", ""):
        response = client.submit("/language", {"language": "de", "next": target})
        assert (response.status_code, response.location) == (302, "/"), target


def test_the_switch_needs_a_csrf_token(client):
    assert client.post("/language", data={"language": "de"}).status_code == 400


def test_csv_headings_follow_the_language_and_the_cells_stay_machine_readable(app, client, make):
    company = make.company(default_language="de")
    user = make.user(company, role="admin")
    client.login(user.email)
    german = client.get("/appointments/modifications.csv").get_data(as_text=True).splitlines()[0]
    assert german.startswith("ID,Angelegt (UTC),Angelegt (Ortszeit),Art")
    client.submit("/language", {"language": "en"})
    english = client.get("/appointments/modifications.csv").get_data(as_text=True).splitlines()[0]
    assert english.startswith("id,created_at_utc,created_at_local,type")


def test_a_refused_password_is_explained_in_german(app, client, make):
    """Domain messages (portal/domain/passwords.py) carry an id and parameters; the page says them
    in its language, the numbers filled in."""
    company = make.company(default_language="de")
    user = make.user(company, role="admin")
    client.login(user.email)
    page = client.submit("/account/password", {"current_password": "correct-horse-battery",
                                               "new_password": "kurz", "repeat_password": "kurz"})
    assert page.status_code == 400
    assert "Verwenden Sie mindestens 12 Zeichen; dieses Passwort hat 4." in page.get_data(as_text=True)


def test_my_account_sets_the_language_or_follows_the_company_again(app, client, make):
    company = make.company(default_language="de")
    user = make.user(company, role="admin")
    client.login(user.email)
    page = client.get("/account").get_data(as_text=True)
    assert 'name="language" value="company" checked' in page
    client.submit("/language", {"language": "en", "next": "/account"})
    assert 'name="language" value="en" checked' in client.get("/account").get_data(as_text=True)
    client.submit("/language", {"language": "company", "next": "/account"})
    with app.app_context():
        assert db.session.get(User, user.id).language is None
    assert '<html lang="de">' in client.get("/account").get_data(as_text=True)


def test_anonymous_visitors_cannot_choose_the_company_default(client):
    token = client.csrf_token("/login")
    assert client.post("/language", data={"language": "company", "csrf_token": token}).status_code == 400


def test_the_english_catalog_is_its_msgids():
    """English pages say a domain Message as its own text without a catalog lookup
    (portal/translations/runtime.py): that holds only while no English entry differs."""
    from portal.translations.catalogs import read

    differing = [message.id for message in read("en")
                 if message.id and message.string and message.string != message.id]
    assert differing == []

"""A company from nothing: `flask companies create`, its settings, and the pages with no branches yet."""
import re

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Branch, Company, User
from tests.html import get, page
from tests.organisation.support import read, version_on

LINK = re.compile(r"http://\S+/set-password/(\S+)")


def create(app, *extra, email="owner@salon.test"):
    return app.test_cli_runner().invoke(args=[
        "companies", "create", "--name", "Salon Schmidt", "--slug", "salon-schmidt", "--timezone",
        "Europe/Vienna", "--region", "AT", "--language", "en", "--admin-email", email,
        "--admin-name", "Olga Owner", *extra])


def test_companies_create_prints_a_link_once_and_the_admin_starts_with_it(app, client):
    result = create(app)
    assert result.exit_code == 0, result.output
    token = LINK.search(result.output).group(1)
    with app.app_context():
        company = db.session.scalar(db.select(Company).where(Company.slug == "salon-schmidt"))
        assert (company.timezone, company.default_region, company.default_language) == ("Europe/Vienna", "AT", "en")
        owner = db.session.scalar(db.select(User).where(User.email == "owner@salon.test"))
        assert owner.role == "admin"
        assert token not in owner.password_hash
        assert db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.entity_type == "company")) == "create"
    url = f"/set-password/{token}"
    client.post(url, data={"password": "tall-green-lantern-47", "confirmation": "tall-green-lantern-47",
                           "csrf_token": client.csrf_token()})
    assert client.login("owner@salon.test", "tall-green-lantern-47").location == "/"
    start = get(client, "/organisation/")
    assert {step["data-step"] for step in start.find_all("li", data_step=True)} >= {"branches", "services"}
    assert start.one("span", data_stat="branches").text == "0"
    for url in ("/", "/policies/", "/callbacks/", "/appointments/", "/notifications/", "/organisation/branches",
                "/organisation/staff", "/admin/users", "/policies/simulator"):
        assert client.get(url).status_code == 200, url
    check = app.test_cli_runner().invoke(args=["portal", "check"])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(("extra", "message"), [
    (("--slug", "Bad Slug"), "lower-case letters"),
    (("--timezone", "Europe/Wien"), "not a time zone"),
    (("--region", "XX"), "not a country code"),
])
def test_companies_create_refuses_bad_settings_and_writes_nothing(app, extra, message):
    result = app.test_cli_runner().invoke(args=[
        "companies", "create", "--name", "X", "--slug", "x", "--admin-email", "a@x.test", "--admin-name", "A",
        *extra])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Company.id))) == 0


def test_companies_create_refuses_a_taken_slug_or_email(app, make):
    make.company(slug="salon-schmidt")
    assert "taken" in create(app).output
    other = make.company()
    existing = make.user(other, "admin")
    result = create(app, "--slug", "another-salon", email=existing.email)
    assert result.exit_code != 0
    assert "already has an account" in result.output


def test_users_create_prints_a_link_instead_of_asking_for_a_password(app, make):
    company = make.company()
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "a@x.test", "--name", "A",
                                                "--role", "agent", "--company", company.slug])
    assert result.exit_code == 0, result.output
    assert LINK.search(result.output)


def test_an_admin_changes_the_company_settings_and_the_tree_follows(app, client, world):
    client.login(world.admin.email)
    client.get("/policies/?type=cancellation")
    response = client.submit("/organisation/company", {
        "name": "Renamed GmbH", "timezone": "Europe/Zurich", "default_region": "ch", "default_language": "en",
        "version": version_on(client, "/organisation/company")})
    assert response.status_code == 302
    company = read(app, Company, world.company.id)
    assert (company.name, company.timezone, company.default_region, company.default_language) == (
        "Renamed GmbH", "Europe/Zurich", "CH", "en")
    root = get(client, "/policies/?type=cancellation").one("li", data_node=f"company-{world.company.id}")
    assert "Renamed GmbH" in root.find("a", class_="node-name").text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("timezone", "Berlin", "not a time zone"), ("default_region", "D", "not a country code"),
    ("default_language", "fr", "de (Deutsch) or en"), ("name", "", "is required"),
])
def test_bad_settings_are_a_400_beside_the_field(app, client, world, field, value, message):
    client.login(world.admin.email)
    values = {"name": "C", "timezone": "Europe/Berlin", "default_region": "DE", "default_language": "de",
              "version": version_on(client, "/organisation/company"), field: value}
    response = client.submit("/organisation/company", values)
    assert response.status_code == 400
    assert message in page(response).one(id=f"{field}-error").text


def test_stale_company_settings_are_a_409(app, client, make, world):
    other = make.user(world.company, "admin")
    client.login(world.admin.email)
    stale = version_on(client, "/organisation/company")
    second = app.test_client()
    second.login(other.email)
    assert second.submit("/organisation/company", {"name": "First", "timezone": "Europe/Berlin",
                                                   "default_region": "DE", "default_language": "de",
                                                   "version": version_on(second, "/organisation/company")}).status_code == 302
    response = client.submit("/organisation/company", {"name": "Second", "timezone": "Europe/Berlin",
                                                       "default_region": "DE", "default_language": "de",
                                                       "version": stale})
    assert response.status_code == 409
    assert other.name in page(response).one(data_conflict=True).text
    assert read(app, Company, world.company.id).name == "First"


def test_a_new_branch_shows_in_the_tree_at_once_on_real_redis(redis_app, world):
    """The generation moves with the branch: the tree cached in Redis is never served stale."""
    client = redis_app.test_client()
    client.login(world.admin.email)
    client.get("/policies/?type=cancellation")
    client.get(f"/notifications/company/{world.company.id}")
    assert client.submit("/organisation/branches/new", {"name": "Redis Branch"}).status_code == 302
    nodes = get(client, "/policies/?type=cancellation").find_all("li", data_node=True)
    assert "Redis Branch" in " ".join(node.text for node in nodes)
    nav = get(client, f"/notifications/company/{world.company.id}").one("nav", class_="card ntree")
    assert "Redis Branch" in nav.text
    with redis_app.app_context():
        branch = db.session.scalar(db.select(Branch.id).where(Branch.name == "Redis Branch"))
    url = f"/organisation/branches/{branch}"
    assert client.submit(url + "/deactivate", {"version": version_on(client, url)}).status_code == 302
    nodes = get(client, "/policies/?type=cancellation").find_all("li", data_node=True)
    assert "Redis Branch" not in " ".join(node.text for node in nodes)

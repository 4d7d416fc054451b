"""What every page shares, read from the parsed HTML of the pages of the route walk: breadcrumbs
are a navigation list, names go only where a role allows them, machine times are valid, error
messages are alerts, and an oversized form is a 413 that says so."""
import re

import pytest

from tests.callbacks.support import add_callback
from tests.html import get, page
from tests.policies.conftest import editor_url
from tests.test_access import app_rules, build_url, record_args

ROLES_FOR_ARIA_LABEL = {"region", "group", "navigation", "img", "alert", "status", "note", "dialog"}


@pytest.fixture
def pages(app, client, make, world):
    """Every GET page an admin can open, parsed (routes of the walk in tests/test_access.py)."""
    client.login(world.admin.email)
    args = record_args(make, world)
    found = {}
    for rule in app_rules(app):
        if "GET" not in rule.methods or rule.endpoint.endswith(("export", "_csv")):
            continue
        response = client.get(build_url(app, rule, args))
        if response.status_code == 200 and response.mimetype == "text/html":
            found[rule.endpoint] = page(response)
    assert len(found) > 20
    return found


def test_breadcrumbs_are_a_navigation_list_with_one_link_per_step(pages):
    for endpoint, body in pages.items():
        assert not body.find_all("p", class_="breadcrumb"), endpoint
        for trail in body.find_all("nav", aria_label="Breadcrumb"):
            steps = trail.one("ol").find_all("li")
            assert steps, endpoint
            assert all(len(step.find_all("a")) <= 1 for step in steps), endpoint
            assert steps[-1].find(aria_current="page") is not None, endpoint


def test_the_policy_history_breadcrumb_links_each_node_of_the_path(client, world):
    client.login(world.admin.email)
    trail = get(client, editor_url("staff", world.ann.id) + f"/history?service={world.cut.id}").one(
        "nav", aria_label="Breadcrumb")
    links = [(a.text, a["href"]) for a in trail.find_all("a")]
    assert [text for text, _ in links] == ["Policies", world.company.name, "North", "Cut", "Ann"]
    assert links[3][1] == f"/policies/cancellation/service/{world.cut.id}?branch={world.north.id}"
    assert trail.find_all("li")[-1].text == "History"


def test_aria_labels_sit_only_on_elements_whose_role_takes_a_name(pages):
    for endpoint, body in pages.items():
        for element in body.find_all(aria_label=True):
            if element.tag in ("div", "span", "p"):
                assert element.get("role") in ROLES_FOR_ARIA_LABEL, (endpoint, element)


def test_machine_readable_times_have_whole_seconds(app, client, world):
    callback = add_callback(app, world)
    client.login(world.admin.email)
    body = get(client, f"/callbacks/{callback.id}")
    stamps = [time["datetime"] for time in body.find_all("time", datetime=True)]
    stamps += [tag["data-expires"] for tag in body.find_all(data_expires=True)]
    assert stamps
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) for stamp in stamps), stamps


def test_boolean_attributes_are_written_as_html_allows(pages):
    for endpoint, body in pages.items():
        for element in body.iter():
            for name in ("required", "novalidate", "checked", "selected", "disabled", "hidden"):
                assert element.get(name) in (None, "", name), (endpoint, element)


def test_an_error_flash_is_an_alert_and_a_success_a_status(app, client, world):
    callback = add_callback(app, world)
    client.login(world.admin.email)  # the world's admin has no staff record: a claim is refused
    refused = page(client.submit(f"/callbacks/{callback.id}/claim", {"version": callback.version}))
    assert refused.one(data_flash="error")["role"] == "alert"
    client.submit(f"/callbacks/{callback.id}/cancel", {"version": callback.version, "reason": "solved"})
    done = get(client, f"/callbacks/{callback.id}")
    assert done.one(data_flash="success")["role"] == "status"


def test_an_oversized_form_is_a_413_that_says_what_happened(app, client, world):
    client.login(world.admin.email)
    response = client.submit("/callbacks/new", {"notes": "x" * 600_000},  # past the form part limit
                             content_type="multipart/form-data")
    assert response.status_code == 413
    assert "too large" in page(response).one(data_error_message=True).text


def test_a_link_into_the_simulator_opens_its_form_without_an_error(client, world):
    client.login(world.admin.email)
    response = client.get(f"/policies/simulator?level=branch&entity_id={world.north.id}")
    assert response.status_code == 200
    body = page(response)
    assert not body.find_all(class_="error")
    assert body.one("select", name="branch").find("option", selected=True)["value"] == str(world.north.id)
    assert body.find(data_decision=True) is None  # nothing decided before anything was asked

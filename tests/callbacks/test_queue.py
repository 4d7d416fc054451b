"""The queue page: order, filters, tab counts, seek pagination, CSV export, who sees what."""
import csv
import io
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Branch, Staff, User, utcnow
from tests.callbacks.support import add_callback, add_escalation, load
from tests.html import Element, parse
from tests.support import QueryCounter


def ids_on(html: Element) -> list[int]:
    return [int(row["data-callback"]) for row in html.find_all("tr", data_callback=True)]


def page(client, **args) -> Element:
    response = client.get("/callbacks/", query_string=args)
    assert response.status_code == 200
    return parse(response.get_data(as_text=True))


def count_of(html: Element, tab_label: str) -> int:
    """The live count on the status tab labelled `tab_label`."""
    for tab in html.one("nav", aria_label="Status").find_all("a"):
        count = tab.one(data_tab_count=True)
        if tab.text == f"{tab_label} {count.text}":
            return int(count.text)
    raise AssertionError(f"no tab {tab_label!r}")


@pytest.fixture
def queue(app, world):
    """A mix of deadlines and priorities, named by what the order test expects of them."""
    add = lambda **kw: add_callback(app, world, **kw).id  # noqa: E731
    return {
        "later_normal": add(minutes_left=300),
        "overdue_long": add(minutes_left=-120, priority="normal"),
        "soon_normal": add(minutes_left=20, priority="normal"),
        "overdue_short": add(minutes_left=-5, priority="high", status="assigned", assignee=world.bob),
        "contacted": add(minutes_left=100, status="contacted", assignee=world.ann),
        "completed": add(minutes_left=-500, status="completed"),
        "cancelled": add(minutes_left=50, status="cancelled"),
    }


def test_overdue_first_then_earliest_deadline(app, client, world, queue):
    client.login(world.admin.email)
    assert ids_on(page(client)) == [queue[k] for k in (
        "overdue_long", "overdue_short", "soon_normal", "contacted", "later_normal")]


def test_the_same_deadline_is_ordered_by_priority_then_age(app, client, world):
    from portal.extensions import db
    from portal.models import CallbackRequest

    made = [add_callback(app, world, priority=p).id for p in ("normal", "urgent", "high", "urgent")]
    with app.app_context():  # one shared deadline, to the second
        shared = db.session.get(CallbackRequest, made[0]).expires_at
        for ident in made:
            db.session.get(CallbackRequest, ident).expires_at = shared
        db.session.commit()
    client.login(world.admin.email)
    assert ids_on(page(client)) == [made[1], made[3], made[2], made[0]]


def test_the_all_tab_puts_overdue_open_callbacks_before_closed_ones(app, client, world, queue):
    client.login(world.admin.email)
    order = ids_on(page(client, tab="all"))
    assert order[:2] == [queue["overdue_long"], queue["overdue_short"]]
    assert order.index(queue["completed"]) > 1  # its old deadline does not put it first: it is closed
    assert sorted(order) == sorted(queue.values())


def test_tabs_count_every_status_under_the_other_filters(app, client, world, queue):
    client.login(world.admin.email)
    html = page(client)
    expected = {"Open": 4 + 1, "Pending": 3, "Assigned": 1, "Contacted": 1, "Completed": 1,
                "Cancelled": 1, "Expired": 0, "All": 7}
    assert {label: count_of(html, label) for label in expected} == expected
    assert "Overdue only (2)" in html.text
    filtered = page(client, priority="high")
    assert count_of(filtered, "Open") == 1
    assert count_of(filtered, "All") == 1


@pytest.mark.parametrize(("args", "expected"), [
    ({"tab": "pending"}, ["overdue_long", "soon_normal", "later_normal"]),
    ({"tab": "contacted"}, ["contacted"]),
    ({"tab": "completed"}, ["completed"]),
    ({"priority": "high"}, ["overdue_short"]),
    ({"overdue": "1"}, ["overdue_long", "overdue_short"]),
    ({"assignee": "unassigned"}, ["overdue_long", "soon_normal", "later_normal"]),
    ({"assignee": "me"}, ["overdue_short"]),  # the agent is Bob
    ({"tab": "all", "overdue": "1", "assignee": "me"}, ["overdue_short"]),
])
def test_filters(app, client, world, queue, args, expected):
    client.login(world.agent.email)
    assert ids_on(page(client, **args)) == [queue[name] for name in expected]


def test_branch_filter_and_search_by_name_or_phone(app, client, world):
    north = add_callback(app, world, name="Greta Wagner", phone="+4915112345678")
    south = add_callback(app, world, branch=world.south, name="Paul 100% Klein", phone="+4930555000")
    client.login(world.admin.email)
    assert ids_on(page(client, branch=world.south.id)) == [south.id]
    assert ids_on(page(client, q="greta")) == [north.id]
    assert ids_on(page(client, q="0151 12345678")) == [north.id]  # a local number finds the E.164 one
    assert ids_on(page(client, q="555")) == [south.id]  # digits anywhere in the number
    assert ids_on(page(client, q="100%")) == [south.id]  # % is a character, not a wildcard
    assert ids_on(page(client, q="%")) == [south.id]


def test_views_of_one_shape_share_their_statements_and_each_gets_its_own_rows(app, client, world):
    """The queue's statements are built once per shape of filter and run with the view's values."""
    from portal.services.callbacks.queue import _listed_statement

    north = add_callback(app, world, name="Greta Wagner")
    south = add_callback(app, world, branch=world.south, name="Paul Klein")
    client.login(world.admin.email)
    _listed_statement.cache_clear()
    assert ids_on(page(client, branch=world.north.id)) == [north.id]
    built = _listed_statement.cache_info().misses
    assert ids_on(page(client, branch=world.south.id)) == [south.id]
    assert ids_on(page(client, branch=world.north.id, q="greta")) == [north.id]
    assert ids_on(page(client, branch=world.north.id, q="paul")) == []
    assert ids_on(page(client, branch=world.south.id, q="paul")) == [south.id]
    assert _listed_statement.cache_info().misses == built + 1  # the search is one more shape


@pytest.mark.parametrize("args", [{"tab": "finished"}, {"priority": "critical"}, {"assignee": "boss"},
                                  {"branch": "north"}, {"after": "1.2.3"}, {"before": "0.20269999999999999999.1.1"}])
def test_a_crafted_filter_or_page_link_is_a_clear_400(app, client, world, args):
    client.login(world.admin.email)
    response = client.get("/callbacks/", query_string=args)
    assert response.status_code == 400
    assert "error-code" in response.get_data(as_text=True)


def test_seek_pages_walk_the_whole_queue_forward_and_back(app, client, world, monkeypatch):
    base = utcnow().replace(microsecond=0)
    minutes = (50, -20, 10, 10, 70, -90, 30, 10, 60, 40, -1)  # three share one deadline …
    made = [add_callback(app, world, expires_at=base + timedelta(minutes=m),
                         priority=("normal", "high", "urgent")[i % 3]).id  # … with three priorities
            for i, m in enumerate(minutes)]
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)  # a page ends inside that group
    client.login(world.admin.email)
    html, pages, seen = page(client), [], []
    while True:
        pages.append(ids_on(html))
        seen += pages[-1]
        following = html.find("a", rel="next")
        if not following:
            break
        html = parse(client.get(following["href"]).get_data(as_text=True))
    assert [len(p) for p in pages] == [4, 4, 3]
    assert "Page 3 of 3" in html.one("nav", data_pager="seek").text
    assert seen == [made[i] for i in (5, 1, 10, 2, 7, 3, 6, 9, 0, 8, 4)]  # deadline, then urgent first
    for expected in reversed(pages[:-1]):  # and back again, page by page
        html = parse(client.get(html.one("a", rel="prev")["href"]).get_data(as_text=True))
        assert ids_on(html) == expected
    assert html.find("a", rel="prev") is None


def test_the_csv_export_has_the_filtered_list_in_queue_order(app, client, world, queue):
    add_callback(app, world, name="=HYPERLINK(\"http://evil\")", minutes_left=900)
    add_escalation(app, load(app, queue["overdue_long"]))
    client.login(world.admin.email)
    response = client.get("/callbacks/export.csv", query_string={"tab": "open"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["id"]) for r in rows[:5]] == [queue[k] for k in (
        "overdue_long", "overdue_short", "soon_normal", "contacted", "later_normal")]
    assert rows[0]["open_escalations"] == "manual_escalation"
    assert rows[0]["deadline"].startswith("Overdue by 2 h")
    assert rows[-1]["customer_name"] == "'=HYPERLINK(\"http://evil\")"  # never run as a formula
    high = client.get("/callbacks/export.csv", query_string={"priority": "high"}).get_data(as_text=True)
    assert [int(r["id"]) for r in csv.DictReader(io.StringIO(high))] == [queue["overdue_short"]]


def test_the_queue_and_export_show_a_manager_only_their_branch(app, client, make, world):
    north = add_callback(app, world, branch=world.north)
    add_callback(app, world, branch=world.south)
    other = make.world()
    add_callback(app, other, branch=other.north)
    client.login(world.manager.email)
    html = page(client)
    assert ids_on(html) == [north.id]
    assert count_of(html, "All") == 1
    assert not html.find_all(name="branch")  # nothing to choose: the branch is theirs
    exported = client.get("/callbacks/export.csv").get_data(as_text=True)
    assert [int(r["id"]) for r in csv.DictReader(io.StringIO(exported))] == [north.id]
    assert ids_on(page(client, branch=world.south.id)) == []  # a crafted branch filter adds nothing


def test_an_agent_without_a_branch_sees_the_whole_company_and_never_another(app, client, make, world):
    mine = {add_callback(app, world, branch=b).id for b in (world.north, world.south)}
    other = make.world()
    add_callback(app, other, branch=other.north)
    client.login(world.agent.email)
    assert set(ids_on(page(client, tab="all"))) == mine


def test_bulk_assign_is_offered_to_managers_only(app, client, world):
    add_callback(app, world)
    client.login(world.agent.email)
    assert "Assign selected" not in page(client).text
    client.logout()
    client.login(world.manager.email)
    assert "Assign selected" in page(client).text


def bulk_picker(html: Element) -> dict[str, list[str]]:
    picker = html.one("select", id="bulk-staff")
    return {group["label"]: [option.text for option in group.find_all("option")]
            for group in picker.find_all("optgroup")}


def test_the_bulk_picker_lists_the_staff_of_the_rows_branches_and_the_company_wide_team(app, client, world):
    with app.app_context():
        db.session.add(Staff(company_id=world.company.id, branch_id=None, name="Support Sam"))
        db.session.commit()
    add_callback(app, world)  # North
    client.login(world.admin.email)
    assert bulk_picker(page(client)) == {"North": ["Ann", "Bob"], "Company-wide": ["Support Sam"]}
    add_callback(app, world, branch=world.south)
    assert bulk_picker(page(client)) == {"North": ["Ann", "Bob"], "South": ["Cy"],
                                         "Company-wide": ["Support Sam"]}
    assert bulk_picker(page(client, branch=world.south.id)) == {"South": ["Cy"], "Company-wide": ["Support Sam"]}


def test_the_bulk_picker_follows_staff_changes_at_once_though_its_lists_are_cached(app, client, world):
    add_callback(app, world)  # North
    client.login(world.admin.email)
    assert bulk_picker(page(client))["North"] == ["Ann", "Bob"]  # now cached
    with app.app_context():
        db.session.get(Staff, world.bob.id).is_active = False
        db.session.add(Staff(company_id=world.company.id, branch_id=world.north.id, name="Dora"))
        db.session.commit()
    assert bulk_picker(page(client))["North"] == ["Ann", "Dora"]


def test_the_bulk_picker_groups_are_read_from_the_cache_not_rendered_from_staff_rows(app, client, world):
    add_callback(app, world)  # North
    add_callback(app, world, branch=world.south)
    client.login(world.admin.email)
    first = bulk_picker(page(client))
    with app.app_context(), QueryCounter(db.engine) as sql:
        again = bulk_picker(page(client))
    assert again == first == {"North": ["Ann", "Bob"], "South": ["Cy"]}
    assert not [statement for statement in sql.statements if "FROM staff" in statement]


def test_the_bulk_picker_says_company_wide_in_the_page_s_language_and_follows_a_branch_rename(
        app, client, world):
    with app.app_context():
        db.session.add(Staff(company_id=world.company.id, branch_id=None, name="Support Sam"))
        db.session.commit()
    add_callback(app, world)  # North
    client.login(world.admin.email)
    assert "Company-wide" in bulk_picker(page(client))
    with app.app_context():
        db.session.get(User, world.admin.id).language = "de"
        db.session.commit()
    assert bulk_picker(page(client)) == {"North": ["Ann", "Bob"], "Unternehmensweit": ["Support Sam"]}
    with app.app_context():
        db.session.get(Branch, world.north.id).name = "Nord"
        db.session.commit()
    assert bulk_picker(page(client)) == {"Nord": ["Ann", "Bob"], "Unternehmensweit": ["Support Sam"]}


def test_a_page_with_nothing_to_assign_has_no_bulk_bar(app, client, world):
    add_callback(app, world, status="completed")
    client.login(world.admin.email)
    completed = page(client, tab="completed")
    assert ids_on(completed)
    assert completed.find("form", id="bulk-form") is None
    assert completed.find("input", type="checkbox", name="callbacks") is None


def test_badges_are_words_not_only_colours(app, client, world):
    add_callback(app, world, minutes_left=-65)
    add_callback(app, world, minutes_left=12)
    add_callback(app, world, minutes_left=23 + 60 * 3)
    client.login(world.admin.email)
    shown = {tag["data-deadline"]: tag.spoken for tag in page(client).find_all(data_deadline=True)}
    assert shown["overdue"] in ("Overdue by 1 h 5 min", "Overdue by 1 h 6 min")
    assert shown["due_soon"] in ("Due soon: in 11 min", "Due soon: in 12 min")
    assert shown["on_time"] in ("Due in 3 h 22 min", "Due in 3 h 23 min")


def test_a_row_names_each_unresolved_escalation_of_its_callback_and_no_resolved_one(app, client, world):
    escalated = add_callback(app, world, minutes_left=-30)
    add_escalation(app, escalated, "sla_breach")
    add_escalation(app, escalated, "manual_escalation")
    add_escalation(app, escalated, "multiple_attempts_failed", resolved=True)
    calm = add_callback(app, world)
    add_escalation(app, calm, "manual_escalation", resolved=True)
    client.login(world.admin.email)
    html = page(client)

    def reasons(callback):
        row = html.one("tr", data_callback=callback.id)
        return {tag["data-escalated"]: tag.text for tag in row.find_all(data_escalated=True)}

    assert reasons(escalated) == {"manual_escalation": "⚠ Escalated: Manual escalation",
                                  "sla_breach": "⚠ Escalated: SLA breached"}
    assert reasons(calm) == {}

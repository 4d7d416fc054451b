"""The staff pickers of one callback's pages (detail, new): the staff of its branch and the
company-wide team the user may hand callbacks to, never every person of the chain. Who may be
assigned is still checked on the server, whatever the picker listed."""
from types import SimpleNamespace

import pytest

from tests.callbacks.support import add_callback, load
from tests.html import get, page, parse

COMPANY_WIDE = "Company-wide"


def groups(select) -> dict[str, list[str]]:
    return {group["label"]: [option.text for option in group.find_all("option")]
            for group in select.find_all("optgroup")}


def picker(client, url, name="staff_id", index=0):
    return get(client, url).find_all("select", name=name)[index]


@pytest.fixture
def support(make, world):
    """A company-wide staff member (no home branch), and a far branch with staff of its own."""
    far = make.branch(world.company, name="Zwickau")
    make.staff(world.company, far, name="Zoe")
    return make.staff(world.company, SimpleNamespace(id=None), name="Sue")


@pytest.mark.parametrize("who", ["admin", "manager", "agent"])
def test_detail_pickers_list_the_callbacks_branch_and_the_company_wide_team(app, client, world, support, who):
    callback = add_callback(app, world, status="assigned", assignee=world.ann)
    client.login(getattr(world, who).email)
    html = get(client, f"/callbacks/{callback.id}")
    for select in html.find_all("select", name="staff_id"):  # assign, and escalate to
        assert groups(select) == {"North": ["Ann", "Bob"], COMPANY_WIDE: ["Sue"]}


def test_detail_picker_keeps_the_assignee_who_works_at_another_branch(app, client, world, support):
    callback = add_callback(app, world, status="assigned", assignee=world.cy)  # Cy works at South
    client.login(world.admin.email)
    select = picker(client, f"/callbacks/{callback.id}")
    assert groups(select) == {"North": ["Ann", "Bob"], "South": ["Cy"], COMPANY_WIDE: ["Sue"]}
    assert select.one("option", selected=True).text == "Cy"


def test_new_callback_picker_lists_the_staff_of_the_branch_shown_selected(app, client, world, support):
    client.login(world.admin.email)
    html = get(client, "/callbacks/new")
    branches = [option.text for option in html.one("select", name="branch_id").find_all("option")]
    assert branches[0] == "North"  # nothing chosen yet: the browser shows the first one
    assert groups(html.one("select", name="staff_id")) == {"North": ["Ann", "Bob"], COMPANY_WIDE: ["Sue"]}


def test_new_callback_form_shown_again_lists_the_chosen_branchs_staff(app, client, world, support):
    client.login(world.admin.email)
    response = client.submit("/callbacks/new", {"customer_name": "", "phone_number": "0151 23456789",
                                                "branch_id": world.south.id, "priority": "normal"})
    assert response.status_code == 400  # the name is missing: the form comes back
    assert groups(page(response).one("select", name="staff_id")) == {"South": ["Cy"], COMPANY_WIDE: ["Sue"]}


def test_a_manager_s_new_callback_picker_is_their_branch(app, client, world, support):
    client.login(world.manager.email)
    assert groups(picker(client, "/callbacks/new")) == {"North": ["Ann", "Bob"], COMPANY_WIDE: ["Sue"]}


def test_the_options_of_another_branch_for_the_new_callback_form(app, client, world, support):
    client.login(world.admin.email)
    response = client.get(f"/callbacks/new/staff?branch={world.south.id}")
    assert response.status_code == 200
    options = parse("<select>" + response.get_data(as_text=True) + "</select>")
    assert options.find_all("option")[0]["value"] == ""  # no preference first
    assert groups(options) == {"South": ["Cy"], COMPANY_WIDE: ["Sue"]}


@pytest.mark.parametrize("branch", ["south", "stranger", "nonsense", "none"])
def test_the_options_of_a_branch_outside_the_users_scope_are_not_found(app, client, make, world, branch):
    ident = {"south": world.south.id, "stranger": make.world().north.id, "nonsense": "x1", "none": ""}[branch]
    client.login(world.manager.email)  # of North
    assert client.get(f"/callbacks/new/staff?branch={ident}").status_code == 404


@pytest.mark.parametrize(("who", "staff", "ok"), [
    ("admin", "cy", True),  # not in the picker of a North callback, but an admin may hand it to anyone
    ("manager", "cy", False),  # another branch's staff: refused, whatever the form sent
    ("manager", "sue", True),  # the company-wide team works every branch's callbacks
])
def test_who_may_be_assigned_is_checked_on_the_server_not_by_the_picker(app, client, world, support,
                                                                        who, staff, ok):
    callback = add_callback(app, world, status="pending")
    target = support if staff == "sue" else world.cy
    client.login(getattr(world, who).email)
    response = client.submit(f"/callbacks/{callback.id}/assign", {"version": 1, "staff_id": target.id})
    assert (response.status_code == 302) is ok
    assert (load(app, callback.id).assigned_to == target.id) is ok

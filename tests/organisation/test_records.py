"""Branches, services and staff in the portal: created, edited, version-checked, deactivated."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Appointment, Branch, CallbackRequest, Company, Service, Staff, utcnow
from tests.html import field_errors, get, page
from tests.organisation.support import audit_count, read, version_on


def tree_nodes(client, **args) -> set[str]:
    query = "&".join(f"{key}={value}" for key, value in {"type": "cancellation", **args}.items())
    return {li["data-node"] for li in get(client, f"/policies/?{query}").find_all("li", data_node=True)}


def generation(app, company_id) -> int:
    with app.app_context():
        return db.session.get(Company, company_id).config_generation


def test_an_admin_creates_a_branch_a_service_offered_there_and_staff_who_perform_it(app, client, world):
    client.login(world.admin.email)
    before = generation(app, world.company.id)
    response = client.submit("/organisation/branches/new", {"name": " West ", "city": "Köln",
                                                            "external_id": "B-W", "service_ids_shown": "1"})
    assert response.status_code == 302
    with app.app_context():
        west = db.session.scalar(db.select(Branch).where(Branch.name == "West"))
    assert generation(app, world.company.id) > before
    service = client.submit("/organisation/services/new", {
        "name": "Perm", "price": "59,50", "duration_minutes": "75", "branch_ids": [west.id, world.north.id]})
    assert service.status_code == 302
    with app.app_context():
        perm = db.session.scalar(db.select(Service).where(Service.name == "Perm"))
        assert (str(perm.price), perm.duration_minutes) == ("59.50", 75)
        assert {b.name for b in perm.branches} == {"West", "North"}
    assert client.submit("/organisation/staff/new", {"name": "Wim", "branch_id": west.id,
                                                     "service_ids": [perm.id]}).status_code == 302
    nodes = tree_nodes(client)
    assert {f"branch-{west.id}", f"service-{perm.id}"} <= nodes
    assert any(node.startswith("staff-") for node in tree_nodes(client, branch=west.id))
    assert audit_count(app, "branch", "create") == audit_count(app, "service", "create") == 1


@pytest.mark.parametrize(("url", "values", "field", "message"), [
    ("/organisation/branches/new", {"name": ""}, "name", "is required"),
    ("/organisation/branches/new", {"name": "North"}, "name", "already called"),
    ("/organisation/branches/new", {"name": "north "}, "name", "already called"),
    ("/organisation/branches/new", {"name": "X", "timezone": "Mars/Olympus"}, "timezone", "not a time zone"),
    ("/organisation/branches/new", {"name": "X", "external_id": "has space"}, "external_id", "spaces"),
    ("/organisation/branches/new", {"name": "X", "service_ids": ["abc"]}, "service_ids", "Unknown service"),
    ("/organisation/services/new", {"name": "X", "price": "12,5x", "duration_minutes": "30"}, "price", "not an amount"),
    ("/organisation/services/new", {"name": "X", "price": "-3", "duration_minutes": "30"}, "price", "not an amount"),
    ("/organisation/services/new", {"name": "X", "duration_minutes": "0"}, "duration_minutes", "not a duration"),
    ("/organisation/services/new", {"name": "X", "duration_minutes": "²"}, "duration_minutes", "not a duration"),
    ("/organisation/staff/new", {"name": "X", "email": "nope"}, "email", "not an email"),
    ("/organisation/staff/new", {"name": "X", "branch_id": "99999999999999999999"}, "branch_id", "Unknown branch"),
])
def test_bad_input_is_a_400_with_the_message_beside_the_field_and_nothing_saved(
        app, client, world, url, values, field, message):
    client.login(world.admin.email)
    response = client.submit(url, {"duration_minutes": "30", **values} if "services" in url else values)
    assert response.status_code == 400
    errors = page(response).find(id=f"{field}-error")
    assert errors is not None, field_errors(page(response))
    assert message in errors.text
    assert audit_count(app, {"branches": "branch", "services": "service", "staff": "staff"}[url.split("/")[2]]) == 0


def test_another_companys_branch_cannot_be_linked(client, world, make):
    other = make.world()
    client.login(world.admin.email)
    response = client.submit("/organisation/services/new", {"name": "X", "duration_minutes": "30",
                                                            "branch_ids": [other.north.id]})
    assert response.status_code == 400
    assert "Unknown branch" in page(response).one(id="branch_ids-error").text


def test_external_ids_are_unique_per_company_and_kind(client, world, make):
    other = make.world()
    client.login(world.admin.email)
    assert client.submit("/organisation/branches/new", {"name": "A", "external_id": "X-1"}).status_code == 302
    again = client.submit("/organisation/branches/new", {"name": "B", "external_id": "X-1"})
    assert again.status_code == 400
    assert "external id" in page(again).one(id="external_id-error").text
    assert client.submit("/organisation/services/new", {"name": "S", "duration_minutes": "30",
                                                        "external_id": "X-1"}).status_code == 302
    client.logout()
    client.login(other.admin.email)
    assert client.submit("/organisation/branches/new", {"name": "A", "external_id": "X-1"}).status_code == 302


def test_renaming_a_branch_changes_the_tree_on_the_next_request(app, client, world):
    client.login(world.admin.email)
    client.get("/policies/?type=cancellation")  # caches the rendered tree
    url = f"/organisation/branches/{world.north.id}"
    assert client.submit(url, {"name": "North Renamed", "version": version_on(client, url),
                               "service_ids_shown": "1", "service_ids": [world.cut.id, world.dye.id]}).status_code == 302
    node = get(client, "/policies/?type=cancellation").one("li", data_node=f"branch-{world.north.id}")
    assert "North Renamed" in node.find("a", class_="node-name").text


def test_a_stale_edit_is_a_409_naming_who_changed_it_first_and_keeps_their_change(app, client, make, world):
    other = make.user(world.company, "admin")
    url = f"/organisation/services/{world.cut.id}"
    client.login(world.admin.email)
    stale = version_on(client, url)
    second = app.test_client()
    second.login(other.email)
    assert second.submit(url, {"name": "Cut", "price": "45", "duration_minutes": "30",
                               "version": version_on(second, url)}).status_code == 302
    response = client.submit(url, {"name": "Cut", "price": "50", "duration_minutes": "30", "version": stale})
    assert response.status_code == 409
    assert other.name in page(response).one(data_conflict=True).text
    assert str(read(app, Service, world.cut.id).price) == "45.00"


def test_a_form_without_its_version_is_a_400(client, world):
    client.login(world.admin.email)
    assert client.submit(f"/organisation/branches/{world.north.id}", {"name": "Y"}).status_code == 400
    assert client.submit(f"/organisation/branches/{world.north.id}/deactivate", {}).status_code == 400


def add_attached(app, world):
    """An open callback and a future appointment at North; a past one too (not counted)."""
    now = utcnow()
    with app.app_context():
        from portal.models import Customer
        customer = Customer(company_id=world.company.id, name="Carla", phone="+4915112345678")
        db.session.add(customer)
        db.session.flush()
        db.session.add(CallbackRequest(company_id=world.company.id, branch_id=world.north.id,
                                       phone_number="+4915112345678", customer_name="Carla",
                                       expires_at=now + timedelta(hours=2)))
        for days in (3, -3):
            starts = now + timedelta(days=days)
            db.session.add(Appointment(company_id=world.company.id, branch_id=world.north.id,
                                       service_id=world.cut.id, staff_id=world.ann.id, customer_id=customer.id,
                                       starts_at=starts, ends_at=starts + timedelta(minutes=30)))
        db.session.commit()


def test_deactivating_a_branch_says_what_is_attached_then_keeps_it_all(app, client, world):
    add_attached(app, world)
    client.login(world.admin.email)
    warning = get(client, f"/organisation/branches/{world.north.id}/deactivate")
    counts = {li["data-attached"]: li.find("strong").text for li in warning.find_all("li", data_attached=True)}
    assert counts["open_callbacks"] == "1"
    assert counts["future_appointments"] == "1"
    assert counts["staff"] == "2"  # Ann and Bob
    assert counts["users"] == "1"  # the branch manager
    assert read(app, Branch, world.north.id).is_active  # the warning changed nothing
    response = client.submit(f"/organisation/branches/{world.north.id}/deactivate",
                             {"version": warning.find_all("input", name="version")[0]["value"]})
    assert response.status_code == 302
    assert not read(app, Branch, world.north.id).is_active
    with app.app_context():  # nothing attached changed
        assert db.session.scalar(db.select(CallbackRequest.status)) == "pending"
        assert set(db.session.scalars(db.select(Appointment.status))) == {"scheduled"}
        assert db.session.get(Staff, world.ann.id).is_active
    assert f"branch-{world.north.id}" not in tree_nodes(client)
    shown = get(client, "/policies/?type=cancellation&inactive=1").one("li", data_node=f"branch-{world.north.id}")
    assert shown.get("data-inactive") is not None
    picker = get(client, "/callbacks/new").one("select", name="branch_id")
    assert str(world.north.id) not in [option["value"] for option in picker.find_all("option")]
    assert client.submit("/callbacks/new", {"customer_name": "Dora", "phone_number": "0151 2345679",
                                            "branch_id": world.north.id, "priority": "normal"}).status_code == 400
    assert audit_count(app, "branch", "deactivate") == 1


def test_a_reactivated_branch_is_back_as_it_was(app, client, world):
    client.login(world.admin.email)
    url = f"/organisation/branches/{world.north.id}"
    client.submit(url + "/deactivate", {"version": version_on(client, url)})
    assert client.submit(url + "/reactivate", {"version": version_on(client, url)}).status_code == 302
    assert read(app, Branch, world.north.id).is_active
    assert {s.name for s in read(app, Branch, world.north.id).services} == {"Cut", "Dye"}
    assert f"service-{world.dye.id}" in tree_nodes(client)


def test_inactive_services_stay_linked_and_marked_on_the_branch_form(app, client, world):
    with app.app_context():
        db.session.get(Service, world.dye.id).is_active = False
        db.session.commit()
    client.login(world.admin.email)
    form = get(client, f"/organisation/branches/{world.north.id}")
    box = form.one("input", name="service_ids", value=str(world.dye.id))
    assert box.get("checked") is not None
    assert "(inactive)" in box.parent.text
    south = get(client, f"/organisation/branches/{world.south.id}")
    assert south.find("input", name="service_ids", value=str(world.dye.id)) is None  # not offered there


def test_a_manager_reads_their_branch_and_the_catalog_but_changes_nothing(client, world):
    client.login(world.manager.email)
    mine = get(client, f"/organisation/branches/{world.north.id}")
    assert mine.one(data_read_only=True)
    assert mine.find("input", name="name") is None
    assert client.get(f"/organisation/branches/{world.south.id}").status_code == 404
    assert client.get(f"/organisation/services/{world.dye.id}").status_code == 200
    assert client.get(f"/organisation/staff/{world.cy.id}").status_code == 404  # another branch's
    assert client.submit(f"/organisation/branches/{world.north.id}", {"name": "Mine", "version": "1"}).status_code == 403
    assert client.get("/organisation/branches/new").status_code == 403
    assert client.get("/organisation/company").status_code == 403
    assert client.get("/organisation/").location.endswith(f"/organisation/branches/{world.north.id}")


def test_agents_have_no_organisation_pages(client, world):
    client.login(world.agent.email)
    for url in ("/organisation/", "/organisation/branches", f"/organisation/staff/{world.bob.id}"):
        assert client.get(url).status_code == 403


def test_a_staff_member_can_be_company_wide_and_linked_to_an_account(app, client, make, world):
    sam_login = make.user(world.company, "agent")
    client.login(world.admin.email)
    taken = client.submit("/organisation/staff/new", {"name": "Sam Support", "user_id": world.agent.id})
    assert taken.status_code == 400  # the agent's account belongs to Bob already
    assert "already linked" in page(taken).one(id="user_id-error").text
    response = client.submit("/organisation/staff/new", {"name": "Sam Support", "branch_id": "",
                                                         "user_id": sam_login.id})
    assert response.status_code == 302
    with app.app_context():
        sam = db.session.scalar(db.select(Staff).where(Staff.name == "Sam Support"))
        assert sam.branch_id is None
        from portal.models import User
        assert db.session.get(User, sam_login.id).staff_id == sam.id
    assert client.get(f"/policies/cancellation/staff/{sam.id}").status_code == 200
    assert client.get(f"/notifications/staff/{sam.id}").status_code == 200


def test_the_customer_page_shows_external_id_language_and_consents(app, client, world):
    with app.app_context():
        from portal.models import Customer
        customer = Customer(company_id=world.company.id, name="Dana", external_id="CUS-7", language="en",
                            consents={"email": True, "sms": False})
        db.session.add(customer)
        db.session.flush()
        starts = utcnow() + timedelta(days=1)
        db.session.add(Appointment(company_id=world.company.id, branch_id=world.north.id, service_id=world.cut.id,
                                   customer_id=customer.id, starts_at=starts, ends_at=starts, external_id="APT-9"))
        db.session.commit()
        customer_id = customer.id
        appointment_id = db.session.scalar(db.select(Appointment.id))
    client.login(world.admin.email)
    facts = get(client, f"/appointments/customers/{customer_id}").one(data_customer_facts=True)
    assert facts.one(data_external_id=True).text == "CUS-7"
    assert facts.one(data_language="en")
    consents = {tag["data-consent"] for tag in facts.find_all(data_consent=True)}
    assert consents == {"email-yes", "sms-no", "whatsapp-unknown", "push-unknown"}
    assert get(client, f"/appointments/{appointment_id}").one(data_external_id=True).text == "APT-9"


def test_notification_navigation_hides_inactive_nodes_until_asked_and_keeps_their_rows(app, client, world):
    from portal.models import NotificationConfiguration
    with app.app_context():
        db.session.get(Service, world.dye.id).is_active = False
        db.session.add(NotificationConfiguration(company_id=world.company.id, configurable_type="service",
                                                 configurable_id=world.dye.id, event_type="reminder_24h",
                                                 channel="sms", is_enabled=False))
        db.session.commit()
    client.login(world.admin.email)
    nav = get(client, f"/notifications/branch/{world.north.id}").one("nav", class_="card ntree")
    assert "Dye" not in nav.text
    shown = get(client, f"/notifications/branch/{world.north.id}?inactive=1").one("nav", class_="card ntree")
    marked = shown.find_all("li", data_inactive=True)
    assert [li.find("a").text for li in marked] == ["Dye"]
    assert "inactive=1" in marked[0].find("a")["href"]
    dye = get(client, f"/notifications/service/{world.dye.id}")
    assert dye.one(data_inactive_notice=True)
    cell = dye.one(data_cell="reminder_24h-sms")
    assert cell.one(data_enabled="off")  # the inactive service's own row is kept and shown
    assert cell.find(data_provenance="here") is not None


def test_a_control_character_is_refused_before_the_form_and_nothing_saved(app, client, world):
    """The input layer refuses control characters in any value, naming the field (400)."""
    client.login(world.admin.email)
    response = client.submit("/organisation/branches/new", {"name": "X\u0000Y"})
    assert response.status_code == 400
    assert "Name: contains control characters" in page(response).text
    assert audit_count(app, "branch") == 0

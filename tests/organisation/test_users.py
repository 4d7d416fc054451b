"""Users: created with a one-time link, edited, deactivated; the last admin and one's own role
are protected; access changes end sessions at once."""
import pytest

from portal.extensions import db
from portal.models import NO_PASSWORD, User
from portal.services.organisation.users import set_user_active, update_user, user_state
from tests.html import field_errors, page
from tests.organisation.support import audit_count, link_of, read
from tests.support import PASSWORD


def state_of(client, user_id) -> str:
    return page(client.get(f"/admin/users/{user_id}")).find_all("input", name="state")[0]["value"]


def edit(client, user, **changes):
    values = {"name": user.name, "role": user.role, "branch_id": user.branch_id or "",
              "staff_id": user.staff_id or "", "state": state_of(client, user.id), **changes}
    return client.submit(f"/admin/users/{user.id}", values)


def test_an_admin_creates_a_manager_who_signs_in_through_the_link_shown_once(app, client, world):
    client.login(world.admin.email)
    response = client.submit("/admin/users/new", {"email": "Nina@Example.test", "name": "Nina Neu",
                                                  "role": "branch_manager", "branch_id": world.south.id})
    assert response.status_code == 201
    url = link_of(response)
    with app.app_context():
        nina = db.session.scalar(db.select(User).where(User.email == "nina@example.test"))
        assert (nina.role, nina.branch_id, nina.password_hash) == ("branch_manager", world.south.id, NO_PASSWORD)
    assert url not in client.get(f"/admin/users/{nina.id}").get_data(as_text=True)  # shown once
    assert audit_count(app, "user", "create") == 1
    client.logout()
    client.post(url, data={"password": "correct-staple-battery", "confirmation": "correct-staple-battery",
                           "csrf_token": client.csrf_token()})
    assert client.login("nina@example.test", "correct-staple-battery").location == "/"
    assert client.get(f"/organisation/branches/{world.south.id}").status_code == 200
    assert client.get(f"/organisation/branches/{world.north.id}").status_code == 404


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"email": "not-an-email", "name": "X", "role": "agent"}, "email", "is not an email address"),
    ({"email": "a@b.test", "name": "", "role": "agent"}, "name", "is required"),
    ({"email": "a@b.test", "name": "X", "role": "root"}, "role", "Choose a role"),
    ({"email": "a@b.test", "name": "X", "role": "branch_manager"}, "branch_id", "needs the branch"),
    ({"email": "a@b.test", "name": "X", "role": "agent", "branch_id": "99999999"}, "branch_id", "Unknown branch"),
    ({"email": "a@b.test", "name": "X" * 201, "role": "agent"}, "name", "too long"),
])
def test_a_bad_new_user_is_a_400_with_the_message_beside_the_field(app, client, world, values, field, message):
    client.login(world.admin.email)
    response = client.submit("/admin/users/new", values)
    assert response.status_code == 400
    assert any(message in text for text in field_errors(page(response)))
    assert audit_count(app, "user") == 0


def test_the_email_of_an_existing_account_is_refused(client, world, make):
    other = make.world()
    client.login(world.admin.email)
    response = client.submit("/admin/users/new", {"email": other.agent.email.upper(), "name": "X",
                                                  "role": "agent"})
    assert response.status_code == 400
    assert "already has an account" in " ".join(field_errors(page(response)))


def test_a_staff_record_has_one_account_at_most(client, world):
    client.login(world.admin.email)
    response = client.submit("/admin/users/new", {"email": "x@y.test", "name": "X", "role": "agent",
                                                  "staff_id": world.bob.id})
    assert response.status_code == 400
    assert "already has a sign-in account" in " ".join(field_errors(page(response)))


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(app, make, world):
    """Two admins acting on each other at once: the second change finds the first one made, and
    is refused, since it would leave the company without an active admin (the admins' rows are
    locked while the rule is checked). Here the second request's admin is read before the first
    change, as it was when their request started."""
    second = make.user(world.company, "admin")
    with app.app_context():
        first_admin, second_admin = db.session.get(User, world.admin.id), db.session.get(User, second.id)
        stale_actor = {"id": second_admin.id, "name": second_admin.name}
        assert update_user(first_admin, second_admin, {"name": second_admin.name, "role": "agent"},
                           user_state(second_admin)).ok
    with app.app_context():
        target = db.session.get(User, world.admin.id)
        actor = User(id=stale_actor["id"], company_id=world.company.id, name=stale_actor["name"],
                     email="stale@x.test", role="admin")
        for change in (lambda: update_user(actor, target, {"name": target.name, "role": "agent"},
                                           user_state(target)),
                       lambda: set_user_active(actor, target, False, user_state(target))):
            outcome = change()
            assert not outcome.ok
            assert "last active admin" in " ".join(outcome.errors.values())
        db.session.rollback()
    assert read(app, User, world.admin.id).role == "admin"
    assert read(app, User, world.admin.id).is_active


def test_another_admin_can_be_demoted_while_one_remains(app, client, make, world):
    second = make.user(world.company, "admin")
    client.login(world.admin.email)
    assert edit(client, second, role="agent").status_code == 302
    assert read(app, User, second.id).role == "agent"


def test_nobody_changes_their_own_role(app, client, make, world):
    make.user(world.company, "admin")
    client.login(world.admin.email)
    response = edit(client, world.admin, role="agent")
    assert response.status_code == 400
    assert "your own role" in " ".join(field_errors(page(response)))
    assert read(app, User, world.admin.id).role == "admin"


def test_nobody_deactivates_themselves(app, client, make, world):
    make.user(world.company, "admin")
    client.login(world.admin.email)
    response = client.submit(f"/admin/users/{world.admin.id}/deactivate",
                             {"state": state_of(client, world.admin.id)})
    assert response.status_code == 400
    assert read(app, User, world.admin.id).is_active


def test_a_deactivated_users_live_session_is_refused_on_its_next_request(app, client, world):
    agent = app.test_client()
    agent.login(world.agent.email)
    assert agent.get("/callbacks/").status_code == 200
    client.login(world.admin.email)
    response = client.submit(f"/admin/users/{world.agent.id}/deactivate",
                             {"state": state_of(client, world.agent.id)})
    assert response.status_code == 302
    assert agent.get("/callbacks/").status_code == 302  # to sign-in
    assert agent.login(world.agent.email).status_code == 401  # and cannot sign in again
    assert audit_count(app, "user", "deactivate") == 1


def test_a_deactivated_users_session_is_refused_even_with_an_unrotated_token(app, client, world):
    """The user loader itself refuses inactive users, whatever the session token says."""
    agent = app.test_client()
    agent.login(world.agent.email)
    with app.app_context():
        db.session.get(User, world.agent.id).is_active = False  # no end_sessions() here
        db.session.commit()
    assert agent.get("/callbacks/").status_code == 302


def test_a_role_change_ends_the_users_sessions(app, client, world):
    agent = app.test_client()
    agent.login(world.agent.email)
    client.login(world.admin.email)
    assert edit(client, world.agent, role="branch_manager", branch_id=world.north.id).status_code == 302
    assert agent.get("/callbacks/").status_code == 302
    assert agent.login(world.agent.email).location == "/"
    assert agent.get("/appointments/").status_code == 200  # the new access


def test_a_reset_ends_sessions_retires_the_password_and_shows_a_new_link(app, client, world):
    agent = app.test_client()
    agent.login(world.agent.email)
    client.login(world.admin.email)
    response = client.submit(f"/admin/users/{world.agent.id}/reset")
    assert response.status_code == 201
    assert "/set-password/" in link_of(response)
    assert agent.get("/callbacks/").status_code == 302
    assert agent.login(world.agent.email, PASSWORD).status_code == 401


def test_a_stale_user_edit_is_a_409_naming_who_changed_it_first(app, client, make, world):
    other_admin = make.user(world.company, "admin")
    client.login(world.admin.email)
    stale = state_of(client, world.agent.id)
    second = app.test_client()
    second.login(other_admin.email)
    assert edit(second, world.agent, name="Renamed by the other").status_code == 302
    response = client.submit(f"/admin/users/{world.agent.id}", {
        "name": "Mine", "role": "agent", "branch_id": "", "staff_id": world.bob.id, "state": stale})
    assert response.status_code == 409
    assert other_admin.name in page(response).one(data_conflict=True).text
    assert read(app, User, world.agent.id).name == "Renamed by the other"


def test_the_list_filters_by_role_branch_and_state(app, client, make, world):
    make.user(world.company, "branch_manager", branch=world.south)
    client.login(world.admin.email)
    rows = page(client.get(f"/admin/users?role=branch_manager&branch={world.north.id}")).find_all("tr", data_user=True)
    assert [row["data-user"] for row in rows] == [str(world.manager.id)]
    with app.app_context():
        db.session.get(User, world.agent.id).is_active = False
        db.session.commit()
    inactive = page(client.get("/admin/users?active=inactive")).find_all("tr", data_user=True)
    assert [row["data-user"] for row in inactive] == [str(world.agent.id)]
    assert client.get("/admin/users?role=nobody&branch=x&active=maybe").status_code == 200  # ignored
    assert client.get("/admin/users?role=%00&active=%F0").status_code == 400  # the input layer refuses


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_admins_manage_users(client, world, role):
    client.login(getattr(world, role).email)
    assert client.get("/admin/users/new").status_code == 403
    assert client.submit(f"/admin/users/{world.agent.id}/deactivate", {"state": "x"}).status_code == 403

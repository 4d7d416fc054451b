"""The one tenant scope: what each kind of user sees, and that nothing reaches rows around it."""
import pathlib
import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentModification,
    Branch,
    CallbackEscalation,
    CallbackRequest,
    Customer,
    Service,
    Staff,
    User,
)
from portal.services.scope import NO_BRANCH, Scope
from tests.appointments.support import Bookings
from tests.callbacks.support import add_callback, add_escalation


@pytest.fixture
def rows(make, world):
    """Rows of both branches of `world`, and one of each of another company."""
    bookings = Bookings(make, world)
    north_booking = bookings.appointment(branch=world.north)
    south_booking = bookings.appointment(branch=world.south, staff="cy")
    bookings.modification(north_booking)
    bookings.modification(south_booking)
    north_call = add_callback(make.app, world, branch=world.north)
    south_call = add_callback(make.app, world, branch=world.south)
    add_escalation(make.app, north_call)
    add_escalation(make.app, south_call)
    other = make.world()
    Bookings(make, other).appointment()
    add_callback(make.app, other)
    return north_booking, south_booking


def visible(app, scope: Scope, model) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(scope.select(model).with_only_columns(model.id)))


def user_row(app, user) -> User:
    with app.app_context():
        row = db.session.get(User, user.id)
        db.session.expunge(row)
        return row


def test_admin_sees_the_whole_company_and_nothing_of_another(app, world, rows):
    scope = Scope.of(user_row(app, world.admin))
    assert scope.branch_id is None
    assert visible(app, scope, Branch) == {world.north.id, world.south.id}
    assert len(visible(app, scope, Appointment)) == 2
    assert len(visible(app, scope, CallbackRequest)) == 2
    assert len(visible(app, scope, Customer)) == 2


def test_manager_sees_only_rows_of_their_branch(app, world, rows):
    north_booking, _ = rows
    scope = Scope.of(user_row(app, world.manager))
    assert scope.branch_id == world.north.id
    assert visible(app, scope, Branch) == {world.north.id}
    assert visible(app, scope, Staff) == {world.ann.id, world.bob.id}
    assert visible(app, scope, Appointment) == {north_booking.id}
    assert visible(app, scope, Customer) == {north_booking.customer_id}
    with app.app_context():
        north_calls = set(db.session.scalars(select(CallbackRequest.id).where(
            *Scope.company(world.company.id).where(CallbackRequest),
            CallbackRequest.branch_id == world.north.id)))
    assert visible(app, scope, CallbackRequest) == north_calls
    assert len(visible(app, scope, CallbackEscalation)) == 1
    assert len(visible(app, scope, AppointmentModification)) == 1


def test_company_wide_rows_carry_no_branch_limit(app, world, rows):
    scope = Scope.of(user_row(app, world.manager))
    assert visible(app, scope, Service) == {world.cut.id, world.dye.id}


def test_manager_without_a_branch_sees_nothing_of_any_branch(app, make, world, rows):
    lost = make.user(world.company, "branch_manager")
    scope = Scope.of(user_row(app, lost))
    assert scope.branch_id == NO_BRANCH
    for model in (Branch, Staff, Appointment, Customer, CallbackRequest, CallbackEscalation,
                  AppointmentModification):
        assert visible(app, scope, model) == set(), model.__name__


def test_agent_sees_their_branch_when_set_else_the_company(app, make, world, rows):
    assert Scope.of(user_row(app, world.agent)).branch_id is None
    south_agent = make.user(world.company, "agent", branch=world.south)
    scope = Scope.of(user_row(app, south_agent))
    assert visible(app, scope, Branch) == {world.south.id}


@pytest.mark.parametrize("ident", ["abc", "", "²", "١٢", "-1", "0", "9" * 40, None, 3.5, True])
def test_get_refuses_anything_that_is_not_a_row_id(app, world, ident):
    with app.app_context():
        assert Scope.company(world.company.id).get(Branch, ident) is None


def test_get_finds_a_row_by_id_or_its_digits(app, world):
    with app.app_context():
        scope = Scope.company(world.company.id)
        assert scope.get(Branch, world.north.id).name == "North"
        assert scope.get(Branch, str(world.north.id)).name == "North"


def test_pages_of_a_manager_without_a_branch_are_empty(app, make, client, world, rows):
    lost = make.user(world.company, "branch_manager")
    north_booking, _ = rows
    client.login(lost.email)
    assert client.get(f"/appointments/{north_booking.id}").status_code == 404
    assert client.get(f"/appointments/customers/{north_booking.customer_id}").status_code == 404
    queue = client.get("/callbacks/?tab=all").get_data(as_text=True)
    assert "Test Customer" not in queue


def test_no_query_writes_its_own_company_filter():
    """Every tenant filter comes from portal/services/scope.py: no other module writes one."""
    root = pathlib.Path(__file__).resolve().parents[2] / "portal"
    hand_written = re.compile(r"\.company_id\s*==")
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.name != "scope.py" and "domain" not in path.parts
                 and hand_written.search(path.read_text())]
    assert offenders == []

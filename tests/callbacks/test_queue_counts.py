"""The queue's tab counts are kept between views (portal/cache/callback_changes.py) and are
never wrong for it: every kind of change to a callback, a deadline passing and the minute's
end each retire them, on the in-process cache and on the real Redis shared by app machines."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import text, update

import portal.callbacks.routes as routes
from portal import create_app
from portal.cache.callback_changes import statement_company
from portal.extensions import db
from portal.models import CallbackRequest, utcnow
from portal.services.callbacks.queue import COUNTS_SECONDS
from portal.services.scope import Scope
from tests.callbacks.support import add_callback
from tests.callbacks.test_queue import count_of, page
from tests.support import PortalClient, QueryCounter


def counted(app, client, **args) -> tuple[dict[str, int], bool]:
    """The tab counts and the overdue count of a view, and whether it counted callbacks itself."""
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as sent:
        html = page(client, **args)
    counts = {label: count_of(html, label) for label in ("Open", "Pending", "Assigned", "Cancelled", "All")}
    counts["overdue"] = int(re.search(r"Overdue only \((\d+)\)", html.text).group(1))
    return counts, any("count(" in s.lower() and "from callback_requests" in s.lower() for s in sent.statements)


def test_a_second_view_reads_its_counts_from_the_cache(app, client, world):
    add_callback(app, world)
    add_callback(app, world, minutes_left=-10)
    client.login(world.admin.email)
    first, counted_first = counted(app, client)
    again, counted_again = counted(app, client)
    assert (counted_first, counted_again) == (True, False)
    assert first == again == {"Open": 2, "Pending": 2, "Assigned": 0, "Cancelled": 0, "All": 2, "overdue": 1}


def test_every_kind_of_change_to_a_callback_retires_the_kept_counts(app, client, world):
    waiting = add_callback(app, world)
    client.login(world.admin.email)
    assert counted(app, client)[0]["Pending"] == 1
    agent = app.test_client()
    agent.login(world.agent.email)

    # a new callback from the form (an ORM insert)
    made = agent.submit("/callbacks/new", {"customer_name": "Neu Kunde", "phone_number": "030 1234567",
                                           "branch_id": str(world.north.id), "priority": "normal"})
    assert made.status_code == 302
    counts, recounted = counted(app, client)
    assert (counts["Pending"], counts["All"], recounted) == (2, 2, True)

    # a claim from the row (the conditional UPDATE of portal/services/callbacks/actions.py)
    assert agent.submit(f"/callbacks/{waiting.id}/claim", {"version": waiting.version}).status_code == 302
    counts, _ = counted(app, client)
    assert (counts["Pending"], counts["Assigned"]) == (1, 1)

    # an ORM change of a loaded callback
    with app.app_context():
        db.session.get(CallbackRequest, waiting.id).status = "cancelled"
        db.session.commit()
    counts, _ = counted(app, client)
    assert (counts["Assigned"], counts["Cancelled"], counts["Open"]) == (0, 1, 1)

    # a bulk UPDATE that names no company: every company's kept counts retire
    with app.app_context():
        db.session.execute(update(CallbackRequest).where(CallbackRequest.id == waiting.id)
                           .values(status="pending").execution_options(synchronize_session=False))
        db.session.commit()
    counts, _ = counted(app, client)
    assert (counts["Pending"], counts["Cancelled"]) == (2, 0)


def test_a_rolled_back_change_keeps_the_counts(app, client, world):
    add_callback(app, world)
    client.login(world.admin.email)
    counted(app, client)
    with app.app_context():
        db.session.execute(update(CallbackRequest).values(status="cancelled")
                           .execution_options(synchronize_session=False))
        db.session.rollback()
    counts, recounted = counted(app, client)
    assert (counts["Pending"], recounted) == (1, False)


def test_the_overdue_count_changes_the_moment_a_deadline_passes(app, client, world, monkeypatch):
    now = utcnow()
    add_callback(app, world, expires_at=now + timedelta(seconds=40))
    client.login(world.admin.email)
    assert counted(app, client)[0]["overdue"] == 0
    monkeypatch.setattr(routes, "utcnow", lambda: now + timedelta(seconds=20))
    assert counted(app, client) == ({"Open": 1, "Pending": 1, "Assigned": 0, "Cancelled": 0, "All": 1,
                                     "overdue": 0}, False)  # still ahead: kept
    monkeypatch.setattr(routes, "utcnow", lambda: now + timedelta(seconds=45))  # within the minute
    counts, recounted = counted(app, client)
    assert (counts["overdue"], recounted) == (1, True)
    assert counted(app, client, overdue="1")[0]["Open"] == 1


def test_a_change_nothing_announced_shows_within_the_minute(app, client, world, monkeypatch):
    add_callback(app, world, minutes_left=600)
    client.login(world.admin.email)
    counted(app, client)
    with app.app_context():  # raw SQL: no session event sees it
        db.session.execute(text("UPDATE callback_requests SET status = 'cancelled'"))
        db.session.commit()
    assert counted(app, client)[0]["Pending"] == 1  # kept, at most for the minute
    now = utcnow()
    monkeypatch.setattr(routes, "utcnow", lambda: now + timedelta(seconds=COUNTS_SECONDS + 1))
    assert counted(app, client)[0]["Pending"] == 0


def test_views_are_kept_apart_by_their_filters_and_their_viewer(app, client, world):
    add_callback(app, world, priority="high")
    add_callback(app, world, status="assigned", assignee=world.bob)
    add_callback(app, world, branch=world.south)
    client.login(world.agent.email)  # Bob
    assert counted(app, client)[0]["Open"] == 3
    assert counted(app, client, priority="high")[0]["Open"] == 1
    assert counted(app, client, assignee="me")[0]["Open"] == 1
    assert counted(app, client, branch=world.south.id)[0]["Open"] == 1
    manager = app.test_client()
    manager.login(world.manager.email)  # North's manager
    assert counted(app, manager)[0]["Open"] == 2


def test_the_company_of_a_statement_is_read_from_its_tenant_criterion():
    scoped = update(CallbackRequest).where(CallbackRequest.id == 3, *Scope.company(7).where(CallbackRequest))
    assert statement_company(scoped) == 7
    assert statement_company(update(CallbackRequest).where(CallbackRequest.id == 3)) is None


@pytest.fixture
def machines(redis_app):
    """Two app machines on one database and one Redis."""
    other = create_app({**{key: redis_app.config[key] for key in ("ENV_NAME", "SQLALCHEMY_DATABASE_URI",
                                                                 "CACHE_TYPE", "CACHE_REDIS_URL",
                                                                 "CACHE_KEY_PREFIX")}})
    other.test_client_class = PortalClient
    return redis_app, other


def test_a_change_on_one_machine_retires_the_counts_another_kept_in_redis(machines, world):
    one, other = machines
    waiting = add_callback(one, world)
    viewer = one.test_client()
    viewer.login(world.admin.email)
    assert counted(one, viewer)[0]["Pending"] == 1
    assert counted(one, viewer)[1] is False  # kept in Redis
    agent = other.test_client()
    agent.login(world.agent.email)
    assert agent.submit(f"/callbacks/{waiting.id}/claim", {"version": waiting.version}).status_code == 302
    counts, recounted = counted(one, viewer)
    assert (counts["Pending"], counts["Assigned"], recounted) == (0, 1, True)

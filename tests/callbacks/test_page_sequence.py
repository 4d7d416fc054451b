"""The callback pages one after the other in one browser session, as people use them: each
request loads its own signed-in user (a 500 was once reported for /callbacks/new right after
/callbacks/ — DetachedInstanceError on current_user.branch — and not reproduced)."""
import pytest

from tests.callbacks.support import add_callback


@pytest.fixture
def users(make, world):
    return {"admin": world.admin, "manager": world.manager, "agent": world.agent,
            "branch agent": make.user(world.company, "agent", branch=world.south, staff=world.cy)}


@pytest.mark.parametrize("who", ["admin", "manager", "agent", "branch agent"])
@pytest.mark.parametrize("kept", [False, True], ids=["plain", "context kept"])
def test_queue_then_new_callback_then_detail_answer_200(app, world, users, who, kept):
    callback = add_callback(app, world, branch=world.south if who == "branch agent" else world.north)
    add_callback(app, world, branch=world.south, status="assigned", assignee=world.cy)
    client = app.test_client()
    client.login(users[who].email)
    urls = ["/callbacks/", "/callbacks/new", "/callbacks/", f"/callbacks/{callback.id}", "/callbacks/new"]
    if kept:  # `with client:` keeps each request's context until the next one starts
        with client:
            statuses = [client.get(url).status_code for url in urls]
    else:
        statuses = [client.get(url).status_code for url in urls]
    assert statuses == [200] * len(urls)

"""The matrix is cached under the company's config generation: on real Redis, a company-level
change is seen at once on every node below, and a cached matrix costs no resolution queries."""
from portal.extensions import db
from portal.services.notifications.read import node_matrix
from portal.services.policies.read import node_ref
from tests.notifications.conftest import cell_url, matrix_cell, node_url, shown
from tests.support import QueryCounter


def staff_retries(client, world):
    """(value, provenance kind, provenance words) of the retries a staff node shows."""
    page = client.get(node_url("staff", world.ann.id, service=world.cut.id)).get_data(as_text=True)
    return shown(matrix_cell(page, "reminder_24h", "sms"), "retry_count")


def test_company_change_is_seen_at_a_staff_node_at_once_on_redis(redis_app, world, add_cell):
    add_cell("company", world.company.id, "reminder_24h", "sms", retry_count=2)
    client = redis_app.test_client()
    client.login(world.admin.email)
    assert staff_retries(client, world)[0] == "2"  # now cached in Redis
    with redis_app.test_request_context():
        ref = node_ref(world.company.id, "staff", world.ann.id, service_id=world.cut.id)
        with QueryCounter(db.engine) as counter:
            node_matrix(world.company.id, ref)
        assert counter.count == 1  # only the generation: the matrix came from Redis
    response = client.submit(cell_url("company", world.company.id, "reminder_24h", "sms"),
                             {"version": "1", "mode_retry_count": "set", "value_retry_count": "7"})
    assert response.status_code == 302
    assert staff_retries(client, world) == ("7", "inherited", "inherited from Company")


def test_a_new_lock_shows_below_at_once_on_redis(redis_app, world):
    client = redis_app.test_client()
    client.login(world.admin.email)
    page = client.get(node_url("branch", world.south.id)).get_data(as_text=True)
    assert matrix_cell(page, "booking_confirmed", "email").find(data_lock=True) is None
    client.submit(cell_url("company", world.company.id, "booking_confirmed", "email"),
                  {"version": "0", "mode_is_enabled": "set", "value_is_enabled": "yes", "locked": "1"})
    page = client.get(node_url("branch", world.south.id)).get_data(as_text=True)
    assert matrix_cell(page, "booking_confirmed", "email").one(data_lock=True)["data-lock"] == "company"

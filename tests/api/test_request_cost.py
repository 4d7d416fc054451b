"""A decision costs one statement once the token and the path's policy are cached; the cache
never outlives what it copies: a revoked token is refused at once, a changed policy decides."""

from datetime import timedelta

from sqlalchemy import select

from portal.cache.codec import encode
from portal.extensions import cache, db
from portal.models import ApiToken, PolicyConfiguration, User, utcnow
from portal.services.organisation.api_tokens import TokenUse, authenticate, revoke_token, token_hash
from tests.api.support import call, name_externally, token_for
from tests.support import QueryCounter


def synced_appointment(client, token, external="cost-1"):
    call(client, "PUT", "/api/v1/sync/customers/cost-customer", token, {"name": "Carla Cost"})
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0).isoformat() + "+00:00"
    ends = (utcnow() + timedelta(days=10, hours=1)).replace(microsecond=0).isoformat() + "+00:00"
    body = {"branch": "north", "service": "cut", "staff": "ann", "customer": "cost-customer",
            "starts_at": starts, "ends_at": ends, "price": "40.00"}
    assert call(client, "PUT", f"/api/v1/sync/appointments/{external}", token, body).status_code == 201
    return external


def decide(client, token, external):
    return call(client, "POST", f"/api/v1/appointments/{external}/decisions", token, {"action": "cancel"})


def test_a_repeated_decision_reads_only_the_appointment_and_its_counts(app, client, world):
    token = token_for(app, world)
    name_externally(app, world)
    external = synced_appointment(client, token)
    assert decide(client, token, external).status_code == 200  # token and policy now cached
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        assert decide(client, token, external).status_code == 200
    statements = [s for s in counter.statements if not s.strip().upper().startswith(("SELECT 1", "ROLLBACK"))]
    assert len(statements) == 1, statements
    assert "appointment_modifications" in statements[0]  # the counts come with the appointment


def test_a_policy_changed_in_the_portal_decides_the_next_request(app, client, world):
    token = token_for(app, world)
    name_externally(app, world)
    external = synced_appointment(client, token)
    assert decide(client, token, external).get_json()["fee"] in ("0.00", "0")
    with app.app_context():
        db.session.add(PolicyConfiguration(company_id=world.company.id, configurable_type="branch",
                                           configurable_id=world.north.id, policy_type="cancellation",
                                           config={"fee": "12.50"}))
        db.session.commit()
    assert decide(client, token, external).get_json()["fee"] == "12.50"


def test_a_revoked_token_is_refused_at_once(app, client, world):
    token = token_for(app, world)
    name_externally(app, world)
    external = synced_appointment(client, token)
    assert decide(client, token, external).status_code == 200  # cached as live
    with app.test_request_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
        admin = db.session.get(User, world.admin.id)
        live = TokenUse(row.id, row.company_id, row.name, ("decisions:write",), None, row.token_hash)
        assert revoke_token(admin, row, utcnow())
        # A request that read the token just before the revocation tries to cache it as live.
        cache.add(f"api-token:{row.token_hash}", encode(live), timeout=30)
        assert authenticate(f"Bearer {token}", utcnow()) is None
    assert decide(client, token, external).status_code == 401

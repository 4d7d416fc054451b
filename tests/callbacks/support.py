"""Factories for callback tests (also used by the route walk in tests/test_access.py)."""
from datetime import timedelta

from portal.extensions import db
from portal.models import ApiToken, CallbackEscalation, CallbackRequest, PolicyConfiguration, utcnow
from portal.services.organisation.api_tokens import token_hash
from tests.support import snapshot

_phones = iter(range(10_000, 99_999))


def add_callback(app, world, branch=None, status="pending", priority="normal", minutes_left=60,
                 assignee=None, created_minutes_ago=5, phone=None, expires_at=None, **kw):
    """A callback of `world`'s company; its deadline is `minutes_left` from now (or `expires_at`)."""
    now = utcnow()
    with app.app_context():
        callback = CallbackRequest(
            company_id=world.company.id, branch_id=(branch or world.north).id,
            phone_number=phone or f"+49151100{next(_phones):05d}", customer_name=kw.pop("name", "Test Customer"),
            priority=priority, status=status, assigned_to=assignee.id if assignee else None,
            assigned_at=now if assignee else None,
            expires_at=expires_at or now + timedelta(minutes=minutes_left),
            created_at=now - timedelta(minutes=created_minutes_ago),
            updated_at=now - timedelta(minutes=created_minutes_ago), **kw)
        db.session.add(callback)
        db.session.commit()
        return snapshot(callback)


def add_escalation(app, callback, reason="manual_escalation", resolved=False):
    with app.app_context():
        now = utcnow()
        escalation = CallbackEscalation(
            company_id=callback.company_id, callback_request_id=callback.id, escalation_reason=reason,
            escalated_at=now, resolved_at=now if resolved else None, meta={"note": "help"})
        db.session.add(escalation)
        db.session.commit()
        return snapshot(escalation)


def add_token(app, world, token=None, revoked=False, scopes="callbacks:write"):
    """An API token of the world's company; `token` is its secret (unique by default)."""
    token = token or f"cbt_test-{next(_phones)}"
    with app.app_context():
        row = ApiToken(company_id=world.company.id, name=f"Token {world.company.id}",
                       token_hash=token_hash(token), hint=token[:8], scopes=scopes,
                       revoked_at=utcnow() if revoked else None)
        db.session.add(row)
        db.session.commit()
        return snapshot(row)


def set_callback_policy(app, world, config, level="company", entity_id=None):
    with app.app_context():
        db.session.add(PolicyConfiguration(
            company_id=world.company.id, configurable_type=level,
            configurable_id=entity_id or world.company.id, policy_type="callback", config=config))
        db.session.commit()


def load(app, callback_id):
    with app.app_context():
        return snapshot(db.session.get(CallbackRequest, callback_id))


def escalations(app, callback_id):
    with app.app_context():
        return [snapshot(e) for e in db.session.scalars(db.select(CallbackEscalation).where(
            CallbackEscalation.callback_request_id == callback_id).order_by(CallbackEscalation.id))]

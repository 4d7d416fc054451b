"""Migration 0009_api: tokens made before scopes existed keep what they could do (callbacks:write)."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db


def test_tokens_from_before_scopes_keep_callbacks_write(app, world):
    with app.app_context():
        downgrade(revision="0008_scale")
        db.session.execute(text(
            "INSERT INTO api_tokens (company_id, name, token_hash, hint, created_at) "
            "VALUES (:company, 'Old voice agent', :hash, 'cbt_old', CURRENT_TIMESTAMP)"),
            {"company": world.company.id, "hash": "0" * 64})
        db.session.commit()
        upgrade()
        scopes = db.session.scalar(text("SELECT scopes FROM api_tokens WHERE name = 'Old voice agent'"))
        assert scopes == "callbacks:write"

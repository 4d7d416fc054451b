"""Helpers of the API tests: a token with the scopes asked for, requests with it."""

import json

from sqlalchemy import update

from portal.domain.api_scopes import SCOPES, format_scopes
from portal.extensions import db
from portal.models import Branch, Service, Staff
from tests.callbacks.support import add_token

ALL = format_scopes(SCOPES)


def token_for(app, world, scopes=ALL, name=None) -> str:
    token = f"cbt_api-test-{name or abs(hash((world.company.id, scopes)))}"
    add_token(app, world, token, scopes=scopes)
    return token


def call(client, method, path, token, body=None, headers=None):
    headers = {"Authorization": f"Bearer {token}", **(headers or {})}
    data = json.dumps(body) if body is not None else None
    return client.open(
        path,
        method=method,
        data=data,
        headers=headers,
        content_type="application/json" if body is not None else None,
    )


def name_externally(app, world):
    """Give the world's north branch, cut service and Ann the external ids the API paths use."""
    with app.app_context():
        for model, ident, external in (
            (Branch, world.north.id, "north"),
            (Service, world.cut.id, "cut"),
            (Staff, world.ann.id, "ann"),
        ):
            db.session.execute(update(model).where(model.id == ident).values(external_id=external))
        db.session.commit()

"""Helpers of the API tests: a token with the scopes asked for, requests with it."""

import json

from portal.domain.api_scopes import SCOPES, format_scopes
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

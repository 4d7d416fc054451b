"""Callback intake for the voice agent and the website: POST /api/v1/callbacks.

Every refusal is a 4xx JSON body with a message, and nothing is stored.
"""
from flask import jsonify, request

from portal.api import bp
from portal.domain.parsing import InputError, parse_json
from portal.extensions import db
from portal.models import Company, utcnow
from portal.services.callbacks.intake import create_or_merge, parse_intake
from portal.services.organisation.api_tokens import authenticate
from portal.web.security import api_rate_limit

MAX_BODY = 16 * 1024  # a request is a name, a phone number and a note: 16 KiB is generous
MAX_DEPTH = 4  # the object, its time window: deeper is never a callback request


def refuse(status: int, message: str, fields: dict | None = None):
    db.session.rollback()
    body = {"error": message, "status": status, **({"fields": fields} if fields else {})}
    response = jsonify(body)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="callbacks"'
    return response, status


@bp.post("/callbacks")
@api_rate_limit
def create_callback():
    """Create a callback request, or merge it into the caller's open one (then 200, merged: true)."""
    now = utcnow()
    token = authenticate(request.headers.get("Authorization"), now)
    if token is None:
        return refuse(401, "Send a valid API token as 'Authorization: Bearer <token>'.")
    request.max_content_length = MAX_BODY
    try:
        payload = parse_json(request.get_data(cache=True), max_bytes=MAX_BODY, max_depth=MAX_DEPTH)
    except InputError as problem:
        return refuse(400, f"The body must be a JSON object with the callback's fields; it {problem}.")
    if not isinstance(payload, dict):
        return refuse(400, "The body must be a JSON object with the callback's fields.")
    company = db.session.get_one(Company, token.company_id)  # a token's company exists (FK)
    intake, errors = parse_intake(company, payload)
    if intake is None:  # exactly when there are errors
        return refuse(422, "The callback request was not stored: " + "; ".join(
            f"{name}: {message}" for name, message in errors.items()), errors)
    stored = create_or_merge(company.id, intake, None, f"API token “{token.name}”", now)
    body = {"id": stored.callback_id, "merged": stored.merged,
            "priority": stored.priority, "expires_at": stored.expires_at.isoformat() + "Z"}
    body["message"] = ("Merged into the open callback request from this phone number."
                       if stored.merged else "Callback request created.")
    return jsonify(body), 200 if stored.merged else 201

"""Callbacks for the voice agent and the website: create one (POST /api/v1/callbacks), and read
one's status (GET /api/v1/callbacks/<id>) to answer "has anyone called me back?".

The intake keeps its v1 contract: its own parser and messages (portal.services.callbacks.intake),
400 for a body that is not a JSON object, 422 naming each refused field; nothing is stored on any
refusal.
"""

from flask import jsonify, request

from portal.api.framework import authorized, bp, current_token
from portal.api.schemas import CallbackCreatedSchema, CallbackInSchema, CallbackStatusSchema
from portal.domain.api_scopes import CALLBACKS_WRITE
from portal.domain.callbacks import OPEN
from portal.domain.messages import english
from portal.domain.parsing import InputError, parse_json
from portal.extensions import db
from portal.models import CallbackRequest, Company, utcnow
from portal.services.callbacks.intake import create_or_merge, parse_intake
from portal.services.scope import Scope
from portal.web.errors import ApiProblem

MAX_BODY = 16 * 1024  # a request is a name, a phone number and a note: 16 KiB is generous
MAX_DEPTH = 4  # the object, its time window: deeper is never a callback request
STATUS_WORDS = {
    "pending": "Waiting for someone to take it.",
    "assigned": "{assignee} will call back.",
    "contacted": "{assignee} has called back.",
    "completed": "Done: the callback was completed.",
    "expired": "It expired without a callback.",
    "cancelled": "It was cancelled.",
}


def iso_utc(moment) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None


@bp.post("/callbacks", tags=["Callbacks"])
@authorized(CALLBACKS_WRITE)
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": CallbackInSchema}}})
@bp.response(201, CallbackCreatedSchema, description="Created")
@bp.alt_response(
    200,
    schema=CallbackCreatedSchema,
    success=True,
    description="Merged into the open request from the same phone (of the last 30 minutes)",
)
@bp.alt_response(400, response="BAD_REQUEST")
@bp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_callback():
    """Create a callback request, or merge it into the caller's open one (then 200, merged: true)."""
    now, token = utcnow(), current_token()
    request.max_content_length = MAX_BODY
    try:
        payload = parse_json(request.get_data(cache=True), max_bytes=MAX_BODY, max_depth=MAX_DEPTH)
    except InputError as problem:
        raise ApiProblem(
            400, f"The body must be a JSON object with the callback's fields; it {english(problem.message)}.",
            "malformed",
        ) from None
    if not isinstance(payload, dict):
        raise ApiProblem(400, "The body must be a JSON object with the callback's fields.", "malformed")
    company = db.session.get_one(Company, token.company_id)  # a token's company exists (FK)
    intake, errors = parse_intake(company, payload)
    if intake is None:  # exactly when there are errors
        raise ApiProblem(
            422,
            "The callback request was not stored: "
            + "; ".join(f"{name}: {english(message)}" for name, message in errors.items()),
            "invalid-fields",
            errors,
        )
    stored = create_or_merge(company.id, intake, None, f"API token “{token.name}”", now)
    body = {
        "id": stored.callback_id,
        "merged": stored.merged,
        "priority": stored.priority,
        "expires_at": iso_utc(stored.expires_at),
    }
    body["message"] = (
        "Merged into the open callback request from this phone number."
        if stored.merged
        else "Callback request created."
    )
    return jsonify(body), 200 if stored.merged else 201


@bp.get("/callbacks/<int:callback_id>", tags=["Callbacks"])
@authorized(CALLBACKS_WRITE)
@bp.response(200, CallbackStatusSchema)
@bp.alt_response(404, response="NOT_FOUND")
def callback_status(callback_id: int):
    """A callback request's status, deadline and who calls back (another company's: 404)."""
    callback = Scope.company(current_token().company_id).get(CallbackRequest, callback_id)
    if callback is None:
        raise ApiProblem(404, "There is no callback request with this id.", "not-found")
    assignee = callback.assignee.name if callback.assignee else None
    now = utcnow()
    return {
        "id": callback.id,
        "status": callback.status,
        "priority": callback.priority,
        "created_at": iso_utc(callback.created_at),
        "expires_at": iso_utc(callback.expires_at),
        "overdue": callback.status in OPEN and callback.expires_at < now,
        "assignee": assignee,
        "contact_attempts": callback.contact_attempts,
        "contacted_at": iso_utc(callback.contacted_at),
        "completed_at": iso_utc(callback.completed_at),
        "message": STATUS_WORDS[callback.status].format(assignee=assignee or "Someone"),
    }

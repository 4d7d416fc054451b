"""The API's framework: flask-smorest (OpenAPI 3 from the code), problem documents, token scopes.

flask-smorest generates /api/v1/openapi.json from the marshmallow schemas and decorators on the
views, so the document cannot drift from what the code accepts. Its own error handler is not
used: portal.web.errors answers every error of the portal, and under /api/ that is an RFC 9457
problem document (application/problem+json).
"""

import http
from functools import wraps

from flask import g, request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from marshmallow import missing
from webargs.flaskparser import FlaskParser, is_json_request

from portal.api.schemas import ProblemSchema
from portal.domain.messages import english
from portal.domain.parsing import InputError, parse_json
from portal.models import utcnow
from portal.services.organisation.api_tokens import TokenUse, authenticate, record_use
from portal.web.errors import ApiProblem
from portal.web.security import api_rate_limit

PROBLEM_CONTENT_TYPE = "application/problem+json"
BEARER = "bearer"


class PortalApi(Api):
    """flask-smorest with the portal's error handling, and error responses documented as problems."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """Nothing: portal.web.errors answers every error (smorest's handler would take the pages')."""

    def _register_responses(self):
        """One documented response per error status (and the default one), as problem documents."""
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "An error, as an RFC 9457 problem document", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


DESCRIPTION = (
    "The integration API of the Appointment Policy Portal: the booking system, the website and the "
    "voice agent ask the same rules the portal's pages apply. Authenticate with a company's API "
    "token as `Authorization: Bearer cbt_…`; each token carries scopes. Errors are RFC 9457 "
    "problem documents (`type`, `title`, `status`, `detail`; for 422 `fields`: name → message)."
)


class PortalParser(FlaskParser):
    """webargs' parser reading JSON bodies through the portal's one JSON reader: bounded size and
    depth, valid text, no NaN (json.loads alone lets a deep body reach a RecursionError, a 500)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        try:
            return parse_json(req.get_data(cache=True), max_bytes=MAX_BODY, max_depth=MAX_DEPTH)
        except InputError as problem:
            # the API answers in English (its reference is English): never the request's language
            raise ApiProblem(400, f"The body must be a JSON object; it {english(problem.message)}.",
                             "malformed") from None


class PortalBlueprint(Blueprint):
    ARGUMENTS_PARSER = PortalParser()


MAX_BODY = 1024 * 1024  # a batch of 500 appointments is well under this (the portal's request limit)
MAX_DEPTH = 8  # batch → records → record → data → consents: deeper is never a sync body

bp = PortalBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Callbacks, sync, policies, decisions, modifications and notifications.",
)


def current_token() -> TokenUse:
    """The token of this API request (set by `authorized`)."""
    return g.api_token


def authorized(scope: str):
    """Decorator: a live token of any company (401 otherwise) that carries `scope` (403 naming
    it otherwise), rate limited per token (429 with Retry-After). Documents all three."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = authenticate(request.headers.get("Authorization"), utcnow())
            if token is None:
                raise ApiProblem(
                    401,
                    "Send a valid API token as 'Authorization: Bearer <token>'.",
                    "unauthenticated",
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
            if scope not in token.scope_set:
                raise ApiProblem(
                    403,
                    f"This token lacks the scope “{scope}”. An admin can create a token "
                    "with it under Callbacks → API tokens.",
                    "missing-scope",
                    extra={"missing_scope": scope},
                )
            g.api_token = token
            return view(*args, **kwargs)

        documented = bp.doc(security=[{BEARER: []}], **{"x-required-scope": scope})(wrapped)
        for status, name in ((401, "UNAUTHORIZED"), (403, "FORBIDDEN"), (429, "TOO_MANY_REQUESTS")):
            documented = bp.alt_response(status, response=name)(documented)
        return api_rate_limit(documented)

    return decorator


def register(app) -> None:
    """The app's API (one per app, as tests build many) with its resources and their documentation."""
    api = PortalApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    api.spec.components.security_scheme(
        BEARER, {"type": "http", "scheme": "bearer", "description": "A company's API token (cbt_…)."}
    )
    from portal.api import callbacks, decisions, docs, notifications, policies, sync  # noqa: F401

    api.register_blueprint(bp)


@bp.after_request
def keep_last_use(response):
    """A token's last use is kept for answered requests, at most once a minute."""
    token, now = g.get("api_token"), utcnow()
    if token is not None and response.status_code < 400 and token.use_is_news(now):
        record_use(token, now)
    return response

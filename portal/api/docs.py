"""The API's reference page: the scopes, the problem types, the examples the README shows (each
run by tests/api/test_examples.py), and the vendored Swagger UI over /api/v1/openapi.json."""

from flask import Blueprint, render_template, request, url_for

from portal.api.examples import EXAMPLES, curl
from portal.api.framework import bp
from portal.domain.api_scopes import SCOPES

# The `type` of a problem document is this page with one of these anchors.
PROBLEM_TYPES = {
    "unauthenticated": "No token, or an unknown or revoked one (401).",
    "missing-scope": "The token lacks the scope the endpoint needs; missing_scope names it (403).",
    "not-found": "No such record in the token's company (another company's are not found either, 404).",
    "malformed": "The body is not a JSON object of the expected shape (400).",
    "invalid-fields": "Fields were refused; fields maps each to its message (422).",
    "unknown-reference": "A record names an external id the portal does not know; fields names it (422).",
    "denied": "The rules deny the modification; decision says why (422).",
    "conflict": "The appointment changed meanwhile, or is no longer scheduled (409).",
    "idempotency-mismatch": "The Idempotency-Key was used before with a different request (422).",
    "idempotency-in-progress": "A request with this Idempotency-Key is still being processed (409).",
}
SWAGGER_UI = "vendor/swagger-ui-5.32.0"


def reference():
    """The reference page (HTML)."""
    base = request.url_root.rstrip("/")
    return render_template(
        "api/reference.html",
        scopes=SCOPES,
        problems=PROBLEM_TYPES,
        examples=[(example, curl(example, base)) for example in EXAMPLES],
        spec_url=url_for("api-docs.openapi_json"),
        swagger=SWAGGER_UI,
    )


# A page, not an operation: registered past flask-smorest, so the OpenAPI document leaves it out.
Blueprint.add_url_rule(bp, "/reference", "reference", reference, methods=["GET"])

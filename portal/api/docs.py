"""The API's reference pages.

/api/v1/reference is rendered on the server from the generated OpenAPI document: the scopes, the
problem types, the examples (each run by tests/api/test_examples.py), then every operation with
its scope, parameters, body and answers, and every schema. It needs no script, so it holds the
portal's accessibility checks and its strict CSP. /api/v1/explorer is the vendored Swagger UI on
the same document, for trying requests out.
"""

from flask import Blueprint, current_app, render_template, request, url_for

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
METHODS = ("get", "put", "post", "patch", "delete")


def openapi() -> dict:
    """This app's generated OpenAPI document."""
    return current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


def ref_name(node: dict | None) -> str | None:
    """The schema name a `$ref` points at (None for an inline schema)."""
    ref = (node or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None


def schema_type(schema: dict) -> str:
    """A short type text: "Branch", "list of Result", "string (date-time)", "one of cancel, reschedule"."""
    if ref_name(schema):
        return ref_name(schema) or ""
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    if schema.get("type") == "array":
        return "list of " + schema_type(schema.get("items", {}))
    if "anyOf" in schema or "oneOf" in schema:
        return " or ".join(schema_type(option) for option in schema.get("anyOf", schema.get("oneOf", [])))
    text = schema.get("type", "any")
    return f"{text} ({schema['format']})" if "format" in schema else text


def operations(spec: dict) -> list[dict]:
    """Every operation, grouped by tag order, as plain rows for the template."""
    responses = spec.get("components", {}).get("responses", {})
    found = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body: dict[str, dict] = operation.get("requestBody", {}).get("content", {})
            answers = []
            for status, answer in sorted(operation["responses"].items()):
                answer = responses.get(ref_name(answer) or "", answer)
                content: tuple[str | None, dict] = next(iter(answer.get("content", {}).items()), (None, {}))
                answers.append(
                    {
                        "status": status,
                        "description": answer.get("description", ""),
                        "type": content[0],
                        "schema": ref_name(content[1].get("schema")),
                    }
                )
            found.append(
                {
                    "id": operation.get("operationId") or f"{method}-{path}".replace("/", "-").strip("-"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "tag": (operation.get("tags") or ["API"])[0],
                    "scope": operation.get("x-required-scope"),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": schema_type(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in [*item.get("parameters", []), *operation.get("parameters", [])]
                    ],
                    "body": ref_name(next(iter(body.values())).get("schema")) if body else None,
                    "answers": answers,
                }
            )
    return found


def schemas(spec: dict) -> list[dict]:
    rows = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        rows.append(
            {
                "name": name,
                "fields": [
                    {
                        "name": field,
                        "type": schema_type(spec_field),
                        "required": field in required,
                        "description": spec_field.get("description", ""),
                    }
                    for field, spec_field in schema.get("properties", {}).items()
                ],
            }
        )
    return rows


def reference():
    """The reference page (HTML, from the OpenAPI document)."""
    base = request.url_root.rstrip("/")
    spec = openapi()
    return render_template(
        "api/reference.html",
        scopes=SCOPES,
        problems=PROBLEM_TYPES,
        examples=[(example, curl(example, base)) for example in EXAMPLES],
        operations=operations(spec),
        schemas=schemas(spec),
        info=spec["info"],
        spec_url=url_for("api-docs.openapi_json"),
    )


def explorer():
    """Swagger UI (vendored) on the OpenAPI document."""
    return render_template("api/explorer.html", spec_url=url_for("api-docs.openapi_json"), swagger=SWAGGER_UI)


# Pages, not operations: registered past flask-smorest, so the OpenAPI document leaves them out.
Blueprint.add_url_rule(bp, "/reference", "reference", reference, methods=["GET"])
Blueprint.add_url_rule(bp, "/explorer", "explorer", explorer, methods=["GET"])

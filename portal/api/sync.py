"""Sync (scope sync:write): the booking system upserts its records by external id — one per
request (PUT, idempotent: sending it again changes nothing) or up to 500 in one batch."""

import re

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from portal.api.framework import authorized, bp, current_token
from portal.api.schemas import (
    EXTERNAL_ID,
    SYNC_SCHEMAS,
    BatchResultSchema,
    BatchSchema,
    SyncResultSchema,
)
from portal.domain.api_scopes import SYNC_WRITE
from portal.services.sync.batch import Result, SyncRecord, apply_records
from portal.web.errors import ApiProblem, field_errors

PATHS = {
    "branches": "branch",
    "services": "service",
    "staff": "staff",
    "customers": "customer",
    "appointments": "appointment",
}


def result_body(result: Result) -> dict:
    body: dict[str, object] = {
        "type": result.record.kind,
        "external_id": result.record.external_id,
        "outcome": result.outcome,
        "id": result.upserted.id if result.upserted else None,
    }
    if result.fields:
        body["fields"] = result.fields
    return body


def _apply(records: list[SyncRecord], best_effort: bool) -> list[Result]:
    try:
        token = current_token()
        return apply_records(token.company_id, records, best_effort, f"API token “{token.name}”")
    except IntegrityError:
        raise ApiProblem(
            409,
            "Another request saved a record with the same name or external id just now; "
            "nothing was applied. Send it again.",
            "conflict",
        ) from None


def _check_external_id(external_id: str) -> None:
    if not re.match(EXTERNAL_ID, external_id):
        raise ApiProblem(
            404, "There is no such record: external ids are 1–100 letters, digits or . _ : @ -", "not-found"
        )


def _single(kind: str):
    schema = SYNC_SCHEMAS[kind]

    @authorized(SYNC_WRITE)
    @bp.arguments(schema)
    @bp.response(200, SyncResultSchema, description="Updated, or unchanged")
    @bp.alt_response(201, schema=SyncResultSchema, success=True, description="Created")
    @bp.alt_response(409, response="CONFLICT")
    @bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def upsert(data, external_id):
        _check_external_id(external_id)
        result = _apply([SyncRecord(kind, external_id, data)], best_effort=False)[0]
        if result.upserted is None:
            raise ApiProblem(
                422,
                f"The {kind} “{external_id}” was not saved: "
                + "; ".join(f"{name}: {message}" for name, message in result.fields.items()),
                "unknown-reference"
                if any("Unknown" in text for text in result.fields.values())
                else "invalid-fields",
                result.fields,
            )
        return result_body(result), 201 if result.upserted.created else 200

    upsert.__name__ = upsert.__qualname__ = f"sync_{kind}"
    upsert.__doc__ = f"Create or update the {kind} of this external id (idempotent)."
    return upsert


for _path, _kind in PATHS.items():
    bp.route(f"/sync/{_path}/<external_id>", methods=["PUT"], endpoint=f"sync_{_kind}", tags=["Sync"])(
        _single(_kind)
    )


@bp.post("/sync/batch", tags=["Sync"])
@authorized(SYNC_WRITE)
@bp.arguments(BatchSchema)
@bp.response(200, BatchResultSchema, description="Applied (with best effort: the accepted records)")
@bp.alt_response(409, response="CONFLICT")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def sync_batch(batch):
    """Up to 500 records in one transaction: all or nothing, unless `best_effort`."""
    records, results, refused = [], {}, {}
    loaders = {kind: schema() for kind, schema in SYNC_SCHEMAS.items()}  # one each: building one is costly
    for index, item in enumerate(batch["records"]):
        try:
            records.append(
                (
                    index,
                    SyncRecord(
                        item["type"], item["external_id"], loaders[item["type"]].load(item["data"])
                    ),
                )
            )
        except ValidationError as invalid:
            refused[index] = field_errors(invalid.messages)
    if refused and not batch["best_effort"]:
        applied = []
    else:
        applied = _apply([record for _, record in records], batch["best_effort"])
    results = dict(zip([index for index, _ in records], applied, strict=False))
    bodies = []
    for index, item in enumerate(batch["records"]):
        if index in refused:
            bodies.append(
                {
                    "type": item["type"],
                    "external_id": item["external_id"],
                    "outcome": "refused",
                    "id": None,
                    "fields": refused[index],
                }
            )
        elif index in results:
            bodies.append(result_body(results[index]))
        else:
            bodies.append(
                {"type": item["type"], "external_id": item["external_id"], "outcome": "skipped", "id": None}
            )
    failed = sum(1 for body in bodies if body["outcome"] == "refused")
    if failed and not batch["best_effort"]:
        raise ApiProblem(
            422,
            f"Nothing was applied: {failed} of {len(bodies)} records were refused "
            "(see results; send best_effort: true to apply the others).",
            "invalid-fields",
            {
                f"records.{index}": "; ".join(f"{k}: {v}" for k, v in body["fields"].items())
                for index, body in enumerate(bodies)
                if body["outcome"] == "refused"
            },
            extra={"results": bodies},
        )
    return {"applied": len(bodies) - failed, "refused": failed, "results": bodies}

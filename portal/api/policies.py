"""Effective policies (scope policies:read): every value of a path's policy with its provenance."""

from portal.api.framework import authorized, bp, current_token
from portal.api.schemas import EffectivePolicySchema, PathQuerySchema
from portal.domain.api_scopes import POLICIES_READ
from portal.domain.policy_schema import POLICY_TYPES
from portal.extensions import db
from portal.models import Company
from portal.services.integration.paths import ApiPath, UnknownReference, api_path, path_policy
from portal.web.errors import ApiProblem


def requested_path(query: dict) -> ApiPath:
    """The path the query names (branch, service, staff by external id), or 422 naming the unknown."""
    company = db.session.get_one(Company, current_token().company_id)
    try:
        return api_path(company, query)
    except UnknownReference as unknown:
        raise ApiProblem(
            422,
            "Unknown external ids: " + "; ".join(unknown.fields.values()),
            "unknown-reference",
            unknown.fields,
        ) from None


@bp.get("/policies/<policy_type>", tags=["Policies"])
@authorized(POLICIES_READ)
@bp.arguments(PathQuerySchema, location="query")
@bp.response(200, EffectivePolicySchema)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def effective_policy(query, policy_type: str):
    """The effective policy of a type at a path, each value with the level it comes from."""
    if policy_type not in POLICY_TYPES:
        raise ApiProblem(404, f"Unknown policy type; the types are {', '.join(POLICY_TYPES)}.", "not-found")
    path = requested_path(query)
    return {
        "policy_type": policy_type,
        "path": path.describe(),
        "values": path_policy(path.node.path[0][1], policy_type, path),
    }

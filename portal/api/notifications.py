"""Notifications (scope notifications:read): an event's resolved configuration and delivery plan
at a path, as the matrix and the plan page show them."""

from portal.api.framework import authorized, bp, current_token
from portal.api.policies import requested_path
from portal.api.schemas import NotificationPlanSchema, PathQuerySchema
from portal.domain.api_scopes import NOTIFICATIONS_READ
from portal.models import utcnow
from portal.services.integration.paths import path_notifications
from portal.web.errors import ApiProblem


@bp.get("/notifications/<event_type>", tags=["Notifications"])
@authorized(NOTIFICATIONS_READ)
@bp.arguments(PathQuerySchema, location="query")
@bp.response(200, NotificationPlanSchema)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def notification_plan(query, event_type: str):
    """Channels (each setting with its provenance), and the attempts in order if each one fails."""
    found = path_notifications(current_token().company_id, event_type, requested_path(query), utcnow())
    if found is None:
        raise ApiProblem(
            404, "Unknown event type: see the 13 events of the notification catalog.", "not-found"
        )
    return found

"""The main navigation: one list, filtered by role and by which sections exist."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint, label, roles allowed to use it)
NAV_ITEMS = (
    ("main.dashboard", _l("Dashboard"), ("admin", "branch_manager", "agent")),
    ("policies.tree", _l("Policies"), ("admin", "branch_manager", "agent")),
    ("callbacks.queue", _l("Callbacks"), ("admin", "branch_manager", "agent")),
    ("appointments.index", _l("Appointments"), ("admin", "branch_manager")),
    ("notifications.catalog", _l("Notifications"), ("admin", "branch_manager", "agent")),
    ("deliveries.index", _l("Deliveries"), ("admin", "branch_manager")),
    ("organisation.index", _l("Organisation"), ("admin", "branch_manager")),
    ("admin.users", _l("Users"), ("admin",)),
    ("security_events.index", _l("Security"), ("admin",)),
)


def nav_for(role: str) -> list[tuple[str, object]]:
    """(endpoint, label) pairs the given role may use, in menu order."""
    endpoints = current_app.view_functions
    return [(ep, label) for ep, label, roles in NAV_ITEMS if role in roles and ep in endpoints]


def register(app) -> None:
    @app.context_processor
    def inject_navigation():
        if current_user.is_authenticated:
            return {"nav_items": nav_for(current_user.role)}
        return {"nav_items": []}

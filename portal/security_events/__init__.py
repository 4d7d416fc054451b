"""The security event log for admins (a blueprint of its own: it is not part of My account)."""
from flask import Blueprint

bp = Blueprint("security_events", __name__)

from portal.security_events import routes  # noqa: E402,F401

"""The delivery log (admins; managers for their branch), resend, template preview, unsubscribe."""
from flask import Blueprint

bp = Blueprint("deliveries", __name__)

from portal.deliveries import routes  # noqa: E402,F401

"""The delivery log (admins; managers for their branch), resend, template preview, unsubscribe."""
from flask import Blueprint

bp = Blueprint("deliveries", __name__)

from portal.deliveries import routes  # noqa: E402,F401
from portal.deliveries.labels import kind_label, status_label  # noqa: E402

# The delivery macros are imported by the customer, callback and appointment pages too.
bp.add_app_template_global(status_label)
bp.add_app_template_global(kind_label)

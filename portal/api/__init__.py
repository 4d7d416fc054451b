"""The JSON API for machines (/api/v1): the voice agent, the website, the booking system.

Authenticated by per-company API tokens (`Authorization: Bearer …`), never by the session
cookie — which is why this one blueprint may be exempt from CSRF.
"""
from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from portal.api import callbacks  # noqa: E402,F401  (registers the resources on bp)

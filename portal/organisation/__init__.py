from flask import Blueprint

# No url_prefix: the pages live under /organisation, and the one-time link page, which people
# open before they can sign in, at /set-password/<token>.
bp = Blueprint("organisation", __name__)

from portal.organisation import imports, records, routes  # noqa: E402,F401

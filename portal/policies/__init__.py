from flask import Blueprint

bp = Blueprint("policies", __name__, url_prefix="/policies")

from portal.policies import routes, simulator  # noqa: E402,F401

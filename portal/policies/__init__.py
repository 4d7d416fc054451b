from flask import Blueprint

bp = Blueprint("policies", __name__, url_prefix="/policies")

from portal.policies import (
    routes,  # noqa: E402,F401
    simulator,  # noqa: E402,F401
)

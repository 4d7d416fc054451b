from flask import Blueprint

bp = Blueprint("policies", __name__, url_prefix="/policies")

from . import routes  # noqa: E402,F401

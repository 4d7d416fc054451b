from flask import Blueprint

bp = Blueprint("policies", __name__, url_prefix="/policies")

from . import routes  # noqa: E402,F401
from . import simulator  # noqa: E402,F401

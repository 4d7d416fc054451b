from flask import Blueprint

bp = Blueprint("main", __name__)

from portal.main import health, routes  # noqa: E402,F401

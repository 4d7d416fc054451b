from flask import Blueprint

# `flask stats refresh` lives on this blueprint's command group.
bp = Blueprint("appointments", __name__, url_prefix="/appointments", cli_group="stats")

from . import routes  # noqa: E402,F401

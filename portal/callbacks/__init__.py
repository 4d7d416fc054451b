from flask import Blueprint

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks", cli_group="callbacks")

from . import routes  # noqa: E402,F401

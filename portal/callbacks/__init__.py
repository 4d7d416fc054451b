from flask import Blueprint

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks", cli_group="callbacks")

from . import actions, cli, routes, tokens  # noqa: E402,F401

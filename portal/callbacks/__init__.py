from flask import Blueprint

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks")

from portal.callbacks import actions, routes, tokens  # noqa: E402,F401

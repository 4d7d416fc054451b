from flask import Blueprint

bp = Blueprint("account", __name__)

from portal.account import mfa, routes  # noqa: E402,F401

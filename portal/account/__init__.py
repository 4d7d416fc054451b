from flask import Blueprint

bp = Blueprint("account", __name__)

from portal.account import mfa, routes, security_log  # noqa: E402,F401

"""Error pages (HTML) and error bodies (JSON for the API)."""
import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing here — the page or record does not exist.",
    405: "That action is not allowed here.",
    409: "Someone else changed this first.",
    413: "What was sent is too large. Shorten the text or send fewer items, then try again.",
    429: "Too many attempts. Please wait and try again.",
    500: "Something went wrong on our side. The error was logged.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, "Error")
    if wants_json():
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, message=message), code


def handle_http_error(exc: HTTPException):
    description = exc.description if exc.description != type(exc).description else None
    return render_error(exc.code or 500, description)


def handle_csrf_error(exc: CSRFError):
    return render_error(400, "This form has expired or did not come from this site. "
                             "Reload the page and try again.")


def handle_unexpected_error(exc: Exception):
    db.session.rollback()
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def register(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(Exception, handle_unexpected_error)

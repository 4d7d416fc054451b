"""Error pages (HTML) and error bodies (JSON for the API).

4xx pages render inside the layout (navigation, the signed-in user). 500 and 503 never do: the
layout loads the user and the navigation from the database, and a failing database is exactly
when these pages are shown. They are a static page (templates/errors/static.html, read once at
start-up, filled with escaped text) that needs neither the database nor the session; a 4xx page
whose layout cannot be rendered falls back to it too.

A database that cannot be reached, or that does not answer within the timeouts
(DB_CONNECT_TIMEOUT, DB_READ_TIMEOUT, DB_WRITE_TIMEOUT), is a 503 with Retry-After: the request
is refused at once instead of hanging until the worker is killed.
"""
import logging
import os
import time
from html import escape
from string import Template

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db, limiter
from portal.web.i18n import request_language

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# What a lost or hung database connection raises through SQLAlchemy (PyMySQL and sqlite3 alike).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)

TITLES = {  # the heading of an error page, in people's words; the message below says why
    400: _l("This request could not be used"), 403: _l("No access"), 404: _l("Not found"),
    405: _l("Not allowed here"), 409: _l("Changed by someone else"), 413: _l("Too large"),
    422: _l("Not accepted"), 429: _l("Too many attempts"), 500: _l("Something went wrong"),
    503: _l("The portal is unavailable just now"),
}
MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("There is nothing here — the page or record does not exist."),
    405: _l("That action is not allowed here."),
    409: _l("Someone else changed this first."),
    413: _l("What was sent is too large. Shorten the text or send fewer items, then try again."),
    429: _l("Too many attempts. Please wait and try again."),
    500: _l("Something went wrong on our side. The error was logged."),
    503: _l("The portal cannot reach its database just now. Please try again in a minute. If you "
            "were saving something, check whether it was saved once the portal is back."),
}

STATIC_LABELS = {  # the static page's own words ($skip, $brand, ... in templates/errors/static.html)
    "skip": lambda: _("Skip to content"),
    "again": lambda: _("Try again"), "home": lambda: _("Back to the dashboard"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def static_page(code: int, message: str) -> Response:
    """The page that needs nothing but this process: no database, no session, no templates."""
    page: Template = current_app.extensions["static_error_page"]
    root = request.script_root
    here = request.full_path if request.method == "GET" else request.path
    # Never the signed-in user's language here: finding it out would ask the database.
    with force_locale(request_language()):
        title, message = str(TITLES.get(code, _("Error"))), str(message)
        labels = {name: escape(text()) for name, text in STATIC_LABELS.items()}
    html = page.safe_substitute(
        code=code, title=escape(title), message=escape(message), lang=request_language(), **labels,
        root=escape(root), static=escape(root + (current_app.static_url_path or "/static")),
        here=escape(root + "/" + here.lstrip("/").removesuffix("?")))  # never //host: same site
    return current_app.response_class(html, status=code, mimetype="text/html")


class ApiProblem(HTTPException):
    """An API refusal: its status, a message a developer can act on, the problem type (a slug of
    the reference page's list), the field errors (name → message) and extra members."""

    def __init__(self, status: int, detail: str, kind: str | None = None, fields: dict | None = None,
                 headers: dict | None = None, extra: dict | None = None):
        super().__init__(description=detail)
        self.code = status
        self.kind, self.fields = kind, fields or {}
        self.extra_headers, self.extra = headers or {}, extra or {}


def problem(code: int, message: str, kind: str | None = None, fields: dict | None = None,
            extra: dict | None = None) -> Response:
    """An RFC 9457 problem document. `error` repeats `detail` (the v1 callback intake answered
    with it before problem documents) and `fields` holds a 422's field errors."""
    with force_locale(request_language()):
        title, message = str(TITLES.get(code, _("Error"))), str(message)
    body = {"type": f"{request.script_root}/api/v1/reference#problem-{kind}" if kind else "about:blank",
            "title": title, "status": code, "detail": message, "error": message, **(extra or {})}
    if fields:
        body["fields"] = fields
    response = jsonify(body)
    response.status_code = code
    response.mimetype = "application/problem+json"
    return response


def field_errors(messages, prefix: str = "") -> dict[str, str]:
    """marshmallow/webargs messages ({"json": {"name": ["…"]}}, nested) as dotted name → message."""
    if isinstance(messages, dict):
        found: dict[str, str] = {}
        for name, inner in messages.items():
            path = f"{prefix}.{name}" if prefix and name != "_schema" else (prefix or str(name))
            found.update(field_errors(inner, path))
        return found
    if isinstance(messages, list) and messages and all(isinstance(item, str) for item in messages):
        return {prefix or "body": " ".join(messages)}
    if isinstance(messages, list):
        return {key: value for item in messages for key, value in field_errors(item, prefix).items()}
    return {prefix or "body": str(messages)}


def api_problem(exc: HTTPException, code: int, message: str) -> Response:
    """The problem document of an HTTP error raised under /api/ (ours, webargs' or werkzeug's)."""
    db.session.rollback()  # nothing of a refused request is kept (a token's last use neither)
    if isinstance(exc, ApiProblem):
        response = problem(code, message, exc.kind, exc.fields, exc.extra)
        response.headers.update(exc.extra_headers)
        return response
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if messages is not None:
        # webargs keys the messages by location; a body's are its fields, a query's are named as such
        inner = messages.get("json", messages) if isinstance(messages, dict) else messages
        fields = field_errors(inner)
        summary = "; ".join(f"{name}: {text}" for name, text in fields.items())
        kind = "invalid-fields" if code == 422 else "malformed"
        return problem(code, f"The request was refused: {summary}" if summary else message, kind, fields)
    response = problem(code, message)
    if code == 429:
        response.headers["Retry-After"] = str(retry_after())
    if code == 405 and exc.get_headers():
        response.headers.update({name: value for name, value in exc.get_headers() if name == "Allow"})
    return response


def retry_after() -> int:
    """Whole seconds until the API limit this request exceeded admits one again (at least 1); the
    limit's whole window when its counters cannot be read."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    window = max(1, int(limit.limit.get_expiry()))
    try:
        return min(window, max(1, int(limit.reset_at - time.time())))
    except Exception:  # the limit's storage failed meanwhile: the window is the safe answer
        log.warning("Rate limit window unreadable; Retry-After is the whole window", exc_info=True)
        return window


def render_error(code: int, message: str | None = None, exc: HTTPException | None = None) -> Response:
    message = message or MESSAGES.get(code, _l("Error"))
    if wants_json():
        return api_problem(exc, code, message) if exc is not None else problem(code, message)
    if code >= 500:
        return static_page(code, message)
    try:
        return make_response(render_template("errors/error.html", code=code, message=message,
                                             title=TITLES.get(code, "Error")), code)
    except Exception:  # the layout needs the database; the page must not
        log.warning("Error page %s rendered without the layout", code, exc_info=True)
        _rollback()
        return static_page(code, message)


def _rollback() -> None:
    """Roll back what the failed request began; on a lost connection that may fail as well."""
    try:
        db.session.rollback()
    except Exception:
        log.warning("Rollback after an error failed too", exc_info=True)


def handle_http_error(exc: HTTPException):
    description = exc.description if exc.description != type(exc).description else None
    return render_error(exc.code or 500, description, exc)


def handle_csrf_error(exc: CSRFError):
    return render_error(400, _("This form has expired or did not come from this site. "
                               "Reload the page and try again."))


def handle_database_unavailable(exc: Exception):
    log.warning("Database unavailable on %s %s: %s", request.method, request.path,
                str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)
    _rollback()
    response = render_error(503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_unexpected_error(exc: Exception):
    original = getattr(exc, "original_exception", None)
    if isinstance(original, DATABASE_UNAVAILABLE):
        return handle_database_unavailable(original)
    _rollback()
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def load_static_page(app: Flask) -> Template:
    path = os.path.join(app.root_path, app.template_folder or "templates", "errors", "static.html")
    with open(path, encoding="utf-8") as page:
        return Template(page.read())


def register(app: Flask) -> None:
    app.extensions["static_error_page"] = load_static_page(app)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(Exception, handle_unexpected_error)

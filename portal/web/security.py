"""Session loading, role checks, re-authentication, security headers and the trusted proxies."""
import hashlib
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.cache.generation import remember_generation
from portal.extensions import db, limiter, login_manager
from portal.models import User, UserSession, utcnow
from portal.services.accounts import events, sessions
from portal.services.accounts.events import Client

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
EXPIRED_MESSAGES = {
    "idle": _l("You were signed out after %(minutes)s minutes without activity. Please sign in again."),
    "expired": _l("Your session reached its maximum length of %(hours)s hours. Please sign in again."),
}


# The clock of requests: session time-outs, re-authentication, codes. Tests replace it.
clock = utcnow


def request_time() -> datetime:
    """Now, for session time-outs, re-authentication and authenticator codes."""
    return clock()


def client() -> Client:
    """The address (after trusted proxies, see TRUSTED_PROXIES) and browser of this request."""
    return Client.of(request.remote_addr, request.user_agent.string)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The cookie names one session; an ended, idle or expired one loads nobody."""
    config = current_app.config
    row, ended = sessions.live_session(session_token, request_time(), sessions.Lifetime.from_config(config),
                                       client())
    if ended is not None:
        flash(str(EXPIRED_MESSAGES[ended]) % {"minutes": config["SESSION_IDLE_MINUTES"],
                                              "hours": config["SESSION_LIFETIME_HOURS"]}, "info")
    if row is None or not row.user.is_active:  # a deactivated user's live session is refused
        return None
    g.user_session = row
    row.user.attach_session(session_token)
    # Read with the user in this transaction: the cached configuration needs no query of its own.
    remember_generation(row.user.company_id, row.user.company.config_generation)
    return row.user


# Endpoints that never need the signed-in user: the health checks must answer for what they check
# (or, /livez, touch nothing) even when the caller sends a session cookie.
SESSIONLESS_ENDPOINTS = frozenset({"static", "main.healthz", "main.livez"})


def load_session_first() -> None:
    """Load the session before the view runs: its time-outs and last-seen time are written and
    committed while the request has changed nothing yet (a lazy load later, e.g. while an error
    page renders, must never commit a view's half-done work)."""
    if request.endpoint not in SESSIONLESS_ENDPOINTS:
        _ = current_user.is_authenticated


def current_session() -> UserSession:
    """The session row of the signed-in request."""
    return g.user_session


def roles_required(*roles: str):
    """Refuse (403) a signed-in user whose role is not one of `roles`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def recently_authenticated() -> bool:
    """Did the person prove who they are (sign-in, password or code) within REAUTH_MINUTES?"""
    window = timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return sessions.recently_authenticated(current_session(), request_time(), window)


def _return_path() -> str:
    """Where to come back after re-authenticating: the page the form was on (same site), else here."""
    referrer = urlsplit(request.referrer or "")
    if request.method == "POST" and referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return request.full_path.rstrip("?")


def reauthentication_redirect():
    """Send the person to confirm it is them, then back to the page they were on."""
    flash(_("Confirm it is you to continue: this action needs a recent password or code."), "info")
    return redirect(url_for("auth.reauthenticate", next=_return_path()))


def require_recent_auth(view):
    """Decorator for sensitive actions (API tokens, roles): unless the person authenticated
    within REAUTH_MINUTES, they confirm their password or code first and then submit again.
    Apply it inside (below) the role check."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not recently_authenticated():
            return reauthentication_redirect()
        return view(*args, **kwargs)

    return wrapped


def api_client_key() -> str:
    """Whom an API rate limit counts: the bearer token (by its hash), else the client address."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return "address:" + (request.remote_addr or "")


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# For the API's views: 429 with Retry-After once a token sends more than API_RATE_LIMIT.
api_rate_limit = limiter.limit(
    _api_limit, key_func=api_client_key,
    error_message="Too many requests with this API token. Wait the number of seconds given in "
                  "Retry-After, then send again.")


def record_refusal(response):
    """A 403 is a security event: who was refused what, from where. Nothing of the refused
    request is kept (a 403 saves nothing), so the session is rolled back before the event."""
    if response.status_code == 403:
        user = current_user if current_user and current_user.is_authenticated else None
        db.session.rollback()
        events.record("access_denied", client(), request_time(), user=user,
                      detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
    return response


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["HSTS_SECONDS"]:
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def trust_proxies(app) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client address and scheme from the
    X-Forwarded-For/-Proto entries those proxies added (the last N), never from what the client
    sent; with 0 (the default) the headers are ignored and the socket address is the client."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def register(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.localize_callback = str  # flashed as text of the request's language
    login_manager.login_message_category = "info"
    trust_proxies(app)
    app.before_request(load_session_first)
    app.after_request(record_refusal)
    app.after_request(add_security_headers)

"""Session loading, role checks and security headers."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.extensions import db, login_manager
from portal.models import User

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """Sessions carry the user's current session token; a rotated token or a deactivated user
    loads nobody."""
    return db.session.scalar(db.select(User).where(User.session_token == session_token, User.is_active))


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


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def register(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    app.after_request(add_security_headers)

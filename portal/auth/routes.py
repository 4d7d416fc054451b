from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import bp, throttle
from portal.auth.forms import LoginForm
from portal.extensions import db
from portal.models import User, utcnow

GENERIC_FAILURE = "That email and password do not match an account."
# Checked when the email is unknown, so a miss costs the same time as a wrong password.
_DUMMY_USER = User()
_DUMMY_USER.set_password("not-a-real-password")


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form), status
    email, address = form.email.data.strip().lower(), request.remote_addr
    if throttle.is_locked(email, address):
        flash("Too many failed sign-in attempts. Wait 15 minutes and try again.", "error")
        return render_template("auth/login.html", form=form), 429
    user = db.session.scalar(db.select(User).where(User.email == email))
    if not (user or _DUMMY_USER).check_password(form.password.data) or user is None or not user.is_active:
        throttle.record_failure(email, address)
        flash(GENERIC_FAILURE, "error")
        return render_template("auth/login.html", form=form), 401
    throttle.clear(email, address)
    session.clear()  # a fresh session: nothing from before sign-in carries over
    user.last_login_at = utcnow()
    db.session.commit()
    login_user(user)
    return redirect(safe_next(form.next.data) or url_for("main.dashboard"))


@bp.post("/logout")
@login_required
def logout():
    # CSRFProtect has already checked the token: only this site can sign a user out.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))

"""Sign-in (password, then the second factor where there is one) and sign-out."""
from functools import cache

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from portal.auth import bp
from portal.auth.flow import begin_second_step, refuse_if_throttled, safe_next
from portal.auth.forms import LoginForm
from portal.domain.messages import M_
from portal.extensions import db
from portal.models import User
from portal.services.accounts import events, sessions
from portal.services.accounts.identity import account_for
from portal.translations.runtime import translated
from portal.web.security import client, current_session, request_time

GENERIC_FAILURE = M_("That email and password do not match an account.")


@cache
def _dummy_user(method: str) -> User:
    """Checked when the email is unknown, so a miss costs the same time as a wrong password
    (hashed with the method real passwords use, which the config chooses)."""
    user = User()
    user.set_password("not-a-real-password")
    return user


__all__ = ["GENERIC_FAILURE", "safe_next"]  # safe_next lives in flow.py since the sign-in has steps


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form), status
    account = account_for(form.email.data)
    refusal = refuse_if_throttled(account.key, account.user, "auth/login.html", form=form)
    if refusal is not None:
        return refusal
    user = account.user
    checked = user or _dummy_user(current_app.config["PASSWORD_HASH_METHOD"])
    # A deactivated account fails like a wrong password (nothing says it exists).
    if not checked.check_password(form.password.data) or user is None or not user.is_active:
        events.record("sign_in_failed", client(), request_time(), user=user,
                      detail="wrong password" if user else f"unknown email ({account.key})")
        db.session.commit()
        flash(translated(GENERIC_FAILURE), "error")
        return render_template("auth/login.html", form=form), 401
    return begin_second_step(user, form.next.data)


@bp.post("/logout")
@login_required
def logout():
    # CSRFProtect has already checked the token: only this site can sign a user out.
    sessions.end_session(current_user, current_session().id, "signed_out", client(), request_time())
    logout_user()
    session.clear()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("auth.login"))

"""The steps of signing in: the password, then (when the account has or needs one) the second
factor, then the session. Between the steps the signed session cookie holds who passed the
password and when: valid for PENDING_SECONDS, never a signed-in session by itself."""
import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user

from portal.extensions import db
from portal.models import User
from portal.services.accounts import events, mfa
from portal.services.accounts.sessions import start_session
from portal.services.accounts.throttle import Verdict, sign_in_throttle
from portal.web.security import client, request_time

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 5 * 60


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def mfa_required(user: User) -> bool:
    return user.role in current_app.config["MFA_REQUIRED_ROLES"]


def begin_second_step(user: User, next_path: str | None):
    """After the password: on to the code, to enrolment (a role that must have MFA), or done."""
    if not user.has_mfa and not mfa_required(user):
        return complete_sign_in(user, next_path, "password")
    stage = "code" if user.has_mfa else "enrol"
    session.clear()
    session[PENDING_KEY] = {"user": user.id, "since": int(time.time()), "next": safe_next(next_path) or "",
                            "stage": stage, **({"secret": mfa.new_secret()} if stage == "enrol" else {})}
    return redirect(url_for(f"auth.{stage}"))


def pending(stage: str) -> tuple[User | None, dict]:
    """The user who passed the password step for `stage` within PENDING_SECONDS, with the state."""
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict) or state.get("stage") != stage:
        return None, {}
    if time.time() - state.get("since", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None, {}
    return db.session.get(User, state.get("user")), state


def start_again():
    flash(_("Please sign in again: the sign-in took too long or was not started here."), "info")
    return redirect(url_for("auth.login"))


def sign_in(user: User, how: str) -> None:
    """Create the session and sign the user in (the response is the caller's)."""
    now = request_time()
    sign_in_throttle().succeeded(f"user:{user.id}", client().address)
    session.clear()  # a fresh session: nothing from before sign-in carries over
    token, row = start_session(user, client(), now)
    user.last_login_at = now
    events.record("sign_in", client(), now, user=user, detail=how, session_id=row.id)
    db.session.commit()
    user.attach_session(token)
    login_user(user)
    g.user_session = row


def complete_sign_in(user: User, next_path: str | None, how: str):
    sign_in(user, how)
    return redirect(safe_next(next_path) or url_for("main.dashboard"))


def refuse_if_throttled(account_key: str, user: User | None, template: str, **context):
    """Count this attempt; a 429 page with Retry-After when a limit refuses it, else None."""
    throttle = sign_in_throttle()
    verdict: Verdict = throttle.admit(account_key, client().address)
    if verdict.local and throttle.take_fault_report():
        events.record("throttle_unavailable", client(), request_time(),
                      detail="Redis unreachable: stricter limits counted in this process")
        db.session.commit()
    if verdict.allowed:
        return None
    events.record("locked_out", client(), request_time(), user=user,
                  detail="limits reached: " + ", ".join(verdict.refused_by))
    db.session.commit()
    minutes = max(1, -(-verdict.retry_after // 60))
    flash(ngettext("Too many sign-in attempts. Wait %(num)s minute and try again.",
                   "Too many sign-in attempts. Wait %(num)s minutes and try again.", minutes),
          "error")
    response = current_app.make_response((render_template(template, **context), 429))
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response

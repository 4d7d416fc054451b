"""Re-authentication before a sensitive action: the password, or an authenticator code."""
from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.auth import bp
from portal.auth.flow import refuse_if_throttled, safe_next
from portal.auth.forms import ReauthForm
from portal.services.accounts import credentials
from portal.services.accounts.throttle import sign_in_throttle
from portal.web.security import client, current_session, request_time


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauthenticate():
    form = ReauthForm(next=request.args.get("next", ""))
    context = {"form": form, "minutes": current_app.config["REAUTH_MINUTES"]}
    if not form.validate_on_submit():
        return render_template("auth/reauth.html", **context), 400 if form.is_submitted() else 200
    account_key = f"user:{current_user.id}"
    refusal = refuse_if_throttled(account_key, current_user, "auth/reauth.html", **context)
    if refusal is not None:
        return refusal
    if not credentials.reauthenticate(current_user, current_session(), form.secret.data, client(),
                                      request_time()):
        form.secret.errors = [_("That is not your password or a current code.")]
        return render_template("auth/reauth.html", **context), 401
    sign_in_throttle().succeeded(account_key, client().address)
    return redirect(safe_next(form.next.data) or url_for("main.dashboard"))

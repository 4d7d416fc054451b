"""Two-step sign-in from My account: set it up, make new recovery codes, turn it off."""
from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.account import bp
from portal.account.forms import MfaSetupForm
from portal.services.accounts import mfa
from portal.web.security import client, request_time, require_recent_auth

SETUP_KEY = "mfa_setup_secret"
WRONG_CODE = _l("That code is not right. Codes change every 30 seconds: use the one shown now.")


@bp.route("/account/mfa", methods=["GET", "POST"])
@login_required
@require_recent_auth
def setup_mfa():
    if current_user.has_mfa:
        flash(_("Two-step sign-in is already on."), "info")
        return redirect(url_for(".index"))
    secret = session.get(SETUP_KEY) or mfa.new_secret()
    session[SETUP_KEY] = secret
    form = MfaSetupForm()
    setup = {"secret": secret, "qr": mfa.qr_svg(mfa.provisioning_uri(secret, current_user.email))}
    if not form.validate_on_submit():
        return render_template("account/mfa.html", form=form, **setup), 400 if form.is_submitted() else 200
    codes = mfa.enable(current_user, secret, form.code.data, client(), request_time())
    if codes is None:
        form.code.errors = [WRONG_CODE]
        return render_template("account/mfa.html", form=form, **setup), 400
    session.pop(SETUP_KEY, None)
    # Rendered, not redirected: this response is the only place the codes ever appear.
    return render_template("account/recovery_codes.html", codes=codes, continue_url=url_for(".index"))


@bp.post("/account/mfa/recovery-codes")
@login_required
@require_recent_auth
def renew_recovery_codes():
    if not current_user.has_mfa:
        flash(_("Turn on two-step sign-in first."), "error")
        return redirect(url_for(".index"))
    codes = mfa.renew_recovery_codes(current_user, client(), request_time())
    return render_template("account/recovery_codes.html", codes=codes, continue_url=url_for(".index"))


@bp.post("/account/mfa/off")
@login_required
@require_recent_auth
def disable_mfa():
    if current_user.role in current_app.config["MFA_REQUIRED_ROLES"]:
        flash(_("Your role needs two-step sign-in: it cannot be turned off."), "error")
        return redirect(url_for(".index"))
    if current_user.has_mfa:
        mfa.disable(current_user, client(), request_time())
        flash(_("Two-step sign-in is off. Your password alone now signs you in."), "success")
    return redirect(url_for(".index"))

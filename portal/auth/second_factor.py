"""The second step of signing in: an authenticator code (or a recovery code), or, for a role that
must use two-step sign-in and has not set it up yet, the enrolment."""
from flask import flash, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.auth import bp
from portal.auth.flow import complete_sign_in, pending, refuse_if_throttled, sign_in, start_again
from portal.auth.forms import CodeForm, EnrolForm
from portal.extensions import db
from portal.services.accounts import events, mfa
from portal.web.security import client, request_time

WRONG_CODE = _l("That code is not right. Codes change every 30 seconds: use the one shown now.")


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    user, state = pending("code")
    if user is None:
        return start_again()
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 400 if form.is_submitted() else 200
    refusal = refuse_if_throttled(f"user:{user.id}", user, "auth/code.html", form=form)
    if refusal is not None:
        return refusal
    now = request_time()
    if mfa.verify_code(user, form.code.data, now):
        return complete_sign_in(user, state.get("next"), "password and authenticator code")
    if mfa.use_recovery_code(user, form.code.data, client(), now):
        left = mfa.unused_recovery_codes(user)
        flash(ngettext("You signed in with a recovery code; %(num)s unused code left. Make new ones under "
                       "My account if you lost your phone.",
                       "You signed in with a recovery code; %(num)s unused codes left. Make new ones under "
                       "My account if you lost your phone.", left), "warning")
        return complete_sign_in(user, state.get("next"), "password and recovery code")
    events.record("mfa_failed", client(), now, user=user)
    db.session.commit()
    form.code.errors = [WRONG_CODE]
    return render_template("auth/code.html", form=form), 401


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    user, state = pending("enrol")
    if user is None:
        return start_again()
    if user.has_mfa:  # set up meanwhile, e.g. in another tab: the code is asked for instead
        return start_again()
    form, secret = EnrolForm(), state["secret"]
    setup = {"secret": secret, "qr": mfa.qr_svg(mfa.provisioning_uri(secret, user.email))}
    if not form.validate_on_submit():
        return render_template("auth/enrol.html", form=form, **setup), 400 if form.is_submitted() else 200
    refusal = refuse_if_throttled(f"user:{user.id}", user, "auth/enrol.html", form=form, **setup)
    if refusal is not None:
        return refusal
    codes = mfa.enable(user, secret, form.code.data, client(), request_time())
    if codes is None:
        events.record("mfa_failed", client(), request_time(), user=user, detail="during enrolment")
        db.session.commit()
        form.code.errors = [WRONG_CODE]
        return render_template("auth/enrol.html", form=form, **setup), 400
    sign_in(user, "password, enrolled an authenticator")
    # Rendered, not redirected: this response is the only place the codes ever appear.
    return render_template("account/recovery_codes.html", codes=codes,
                           continue_url=state.get("next") or url_for("main.dashboard"))


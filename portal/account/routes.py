"""My account: change one's password, see one's sessions and end them."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.account import bp
from portal.account.forms import PasswordChangeForm
from portal.account.presenters import session_rows
from portal.domain.parsing import parse_id
from portal.services.accounts import credentials, mfa, sessions
from portal.web.security import client, current_session, request_time


def render_account(status: int = 200, password_form: PasswordChangeForm | None = None):
    lifetime = sessions.Lifetime.from_config(current_app.config)
    live = sessions.live_sessions(current_user, request_time(), lifetime)
    return render_template(
        "account/index.html", password_form=password_form or PasswordChangeForm(),
        sessions=session_rows(live, current_session().id), lifetime=lifetime,
        codes_left=mfa.unused_recovery_codes(current_user) if current_user.has_mfa else 0,
        mfa_required=current_user.role in current_app.config["MFA_REQUIRED_ROLES"]), status


@bp.get("/account")
@login_required
def index():
    return render_account()


@bp.post("/account/password")
@login_required
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_account(400, form)
    errors = credentials.change_password(current_user, current_session(), form.current_password.data,
                                         form.new_password.data, client(), request_time())
    if errors:
        for name, messages in errors.items():
            getattr(form, name).errors = messages
        return render_account(400, form)
    flash(_("Your password was changed. Your other sessions have been signed out."), "success")
    return redirect(url_for(".index"))


@bp.post("/account/sessions/<session_id>/end")
@login_required
def end_session(session_id):
    ident = parse_id(session_id)
    if ident is None or ident == current_session().id:
        # The current session ends by signing out; anything else that is not one's own: 404.
        return render_account(404) if ident is None else redirect(url_for(".index"))
    if not sessions.end_session(current_user, ident, "ended_by_user", client(), request_time()):
        flash(_("That session had already ended, or is not one of yours."), "error")
        return render_account(404)
    flash(_("The session was ended: that browser is signed out."), "success")
    return redirect(url_for(".index"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    count = sessions.end_other_sessions(current_user, current_session().id, "ended_by_user", client(),
                                        request_time())
    flash(ngettext("Ended %(num)s other session.", "Ended %(num)s other sessions.", count) if count else
          _("There were no other sessions."), "success")
    return redirect(url_for(".index"))

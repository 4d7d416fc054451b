"""The organisation's start page, the company settings, and the one-time link page."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.models import utcnow
from portal.organisation import bp
from portal.organisation.forms import read_record_form, read_version
from portal.organisation.presenters import LANGUAGE_CHOICES
from portal.services.organisation.company import update_settings
from portal.services.organisation.links import link_state, redeem_link
from portal.services.organisation.nodes import last_change
from portal.services.organisation.read import organisation_counts
from portal.web.security import roles_required

PASSWORD_MAX = 200


@bp.get("/organisation/")
@roles_required("admin", "branch_manager")
def index():
    """Admins: what the company has and what to do next. Managers: their branch."""
    if not current_user.is_admin:
        if current_user.branch_id is None:
            abort(404)
        return redirect(url_for(".branch", branch_id=current_user.branch_id))
    return render_template("organisation/index.html", counts=organisation_counts(current_user.company_id))


def settings_page(values: dict, errors: dict | None = None, status: int = 200, **extra):
    company = current_user.company
    who, when = last_change(company.id, "company", company.id)
    return render_template("organisation/company.html", values=values, errors=errors or {},
                           languages=LANGUAGE_CHOICES, changed_by=who, changed_at=when, **extra), status


@bp.route("/organisation/company", methods=["GET", "POST"])
@roles_required("admin")
def company():
    record = current_user.company
    if request.method == "GET":
        return settings_page({"name": record.name, "timezone": record.timezone,
                              "default_region": record.default_region,
                              "default_language": record.default_language,
                              "email_sender": record.email_sender or "", "version": record.version})
    version = read_version(request.form)
    if version is None:
        abort(400, _("The form is missing its version; reload the page."))
    raw = read_record_form("company", request.form)
    outcome = update_settings(current_user, record, raw, version)
    if outcome.conflict:
        flash(_("Not saved: someone else changed the company settings after you opened them."), "error")
        return settings_page({**raw, "version": outcome.conflict.current_version}, {}, 409,
                             conflict=outcome.conflict)
    if not outcome.ok:
        flash(_("Nothing was saved: correct the highlighted fields."), "error")
        return settings_page({**raw, "version": version}, outcome.errors, 400)
    flash(_("Saved the company settings.") if outcome.changed else _("Nothing changed."), "success")
    return redirect(url_for(".company"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token):
    """A one-time link: whoever holds it sets the account's password, once, within its lifetime."""
    state = link_state(token, utcnow())
    if request.method == "GET" or state.problem:
        status = 200 if not state.problem else (410 if state.link else 404)
        return render_template("organisation/set_password.html", state=state, problems=[]), status
    password = (request.form.get("password") or "")[:PASSWORD_MAX + 1]
    confirmation = (request.form.get("confirmation") or "")[:PASSWORD_MAX + 1]
    user, problems = redeem_link(token, password, confirmation, utcnow())
    if user is None:
        return render_template("organisation/set_password.html", state=link_state(token, utcnow()),
                               problems=problems), 400
    if current_user.is_authenticated:  # someone else's session in this browser: it ends here
        logout_user()
    session.clear()
    flash(_("Your password is set. Sign in with your email address and the new password."), "success")
    return redirect(url_for("auth.login"))

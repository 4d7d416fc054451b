"""Users: the company's sign-in accounts, managed by admins (DESIGN §6, §9)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import bp
from portal.admin.forms import read_user_form
from portal.admin.presenters import ROLE_CHOICES, user_filter, user_form_context, user_values
from portal.extensions import db
from portal.models import User, utcnow
from portal.services.organisation.links import LIFETIMES
from portal.services.organisation.users import (
    UserOutcome,
    create_user,
    reset_password,
    set_user_active,
    update_user,
)
from portal.translations.runtime import translated
from portal.web.pagination import page_args, paginate_entities
from portal.web.scope import current_scope, get_or_404
from portal.web.security import require_recent_auth, roles_required


@bp.get("/users")
@roles_required("admin")
def users():
    filters, stmt = user_filter(current_scope(), request.args)
    return render_template("admin/users.html", page=paginate_entities(stmt),
                           page_args=page_args(("role", "branch", "active")), filters=filters,
                           roles=ROLE_CHOICES, **user_form_context(current_user.company_id))


def user_page(user: User | None, values: dict, errors: dict | None = None, status: int = 200, **extra):
    return render_template("admin/user.html", user=user, values=values, errors=errors or {},
                           roles=ROLE_CHOICES, **user_form_context(current_user.company_id, user),
                           **extra), status


def link_page(outcome: UserOutcome, what: str):
    """The one-time link, shown this once (rendered, never redirected to: it is stored nowhere)."""
    link = url_for("organisation.set_password", token=outcome.token, _external=True)
    return render_template("admin/link.html", user=outcome.entity, link=link, what=what,
                           hours=int(LIFETIMES[outcome.purpose or "reset"].total_seconds() // 3600)), 201


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
@require_recent_auth
def new_user():
    if request.method == "GET":
        return user_page(None, {"role": "agent"})
    raw = read_user_form(request.form)
    outcome = create_user(current_user, current_user.company_id, raw, utcnow())
    if not outcome.ok:
        flash(_("Nothing was saved: correct the highlighted fields."), "error")
        return user_page(None, raw, outcome.errors, 400)
    return link_page(outcome, "created")


def _state() -> str:
    state = request.form.get("state", "")
    if not state:
        abort(400, _("The form is missing the state of the account it showed; reload the page."))
    return state


def _refused(user: User, outcome: UserOutcome, raw: dict | None = None):
    if outcome.conflict:
        flash(_("Not saved: someone else changed this account after you opened it."), "error")
        db.session.refresh(user)
        return user_page(user, user_values(user), {}, 409, conflict=outcome.conflict)
    flash(_("Nothing was saved: %(problem)s", problem=translated(next(iter(outcome.errors.values())))),
          "error")
    return user_page(user, {**user_values(user), **(raw or {})}, outcome.errors, 400)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
@require_recent_auth
def user(user_id):
    account = get_or_404(User, user_id)
    if request.method == "GET":
        return user_page(account, user_values(account))
    raw = read_user_form(request.form)
    outcome = update_user(current_user, account, raw, _state())
    if not outcome.ok:
        return _refused(account, outcome, raw)
    flash(_("Saved %(name)s. Their sessions have ended: they sign in again with the new access.",
            name=account.name) if outcome.changed else _("Saved %(name)s.", name=account.name), "success")
    return redirect(url_for(".user", user_id=account.id))


@bp.post("/users/<int:user_id>/deactivate")
@roles_required("admin")
@require_recent_auth
def deactivate_user(user_id):
    return _set_active(get_or_404(User, user_id), False)


@bp.post("/users/<int:user_id>/reactivate")
@roles_required("admin")
@require_recent_auth
def reactivate_user(user_id):
    return _set_active(get_or_404(User, user_id), True)


def _set_active(account: User, active: bool):
    outcome = set_user_active(current_user, account, active, _state())
    if not outcome.ok:
        return _refused(account, outcome)
    flash(_("%(name)s is reactivated.", name=account.name) if active else
          _("%(name)s is deactivated: their sessions have ended; they cannot sign in.", name=account.name),
          "success")
    return redirect(url_for(".user", user_id=account.id))


@bp.post("/users/<int:user_id>/reset")
@roles_required("admin")
@require_recent_auth
def reset_user_password(user_id):
    account = get_or_404(User, user_id)
    outcome = reset_password(current_user, account, utcnow())
    if not outcome.ok:
        return _refused(account, outcome)
    return link_page(outcome, "reset")


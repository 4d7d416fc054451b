"""API tokens for the intake endpoint: admins create (the token is shown once) and revoke."""
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portal.callbacks import bp
from portal.domain.api_scopes import SCOPES
from portal.extensions import db
from portal.models import ApiToken, Branch, Service, utcnow
from portal.services.organisation.api_tokens import create_token, revoke_token
from portal.translations.runtime import translated
from portal.web.scope import current_scope, get_or_404
from portal.web.security import require_recent_auth, roles_required


def render_tokens(status: int = 200, **extra):
    tokens = db.session.scalars(current_scope().select(ApiToken).options(joinedload(ApiToken.creator))
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()
    # Integrations send ids: show the ones they need beside the tokens.
    branches = db.session.scalars(current_scope().select(Branch).order_by(Branch.name)).all()
    services = db.session.scalars(current_scope().select(Service).order_by(Service.name)).all()
    return render_template("callbacks/tokens.html", tokens=tokens, branches=branches, services=services,
                           scopes=SCOPES, **extra), status


NEW_TOKEN = "new_api_token"  # session key: the token just created, shown by exactly one GET


@bp.get("/tokens")
@roles_required("admin")
def tokens():
    created = session.pop(NEW_TOKEN, None)  # shown once: a refresh never shows (or creates) it again
    row = created and db.session.scalar(current_scope().select(ApiToken, ApiToken.id == created["id"]))
    if not row:
        return render_tokens()
    return render_tokens(new_token=created["token"], new_row=row)


@bp.post("/tokens")
@roles_required("admin")
@require_recent_auth
def create_api_token():
    # A form without scope boxes (as before scopes existed) gets the default, callbacks:write.
    scopes = [value[:50] for value in request.form.getlist("scopes")[:20]] or None
    row, token, error = create_token(current_user, request.form.get("name", ""), utcnow(), scopes)
    if error or row is None:
        flash(translated(error) if error else _("The token could not be created."), "error")
        return render_tokens(400, name=request.form.get("name", "")[:200])
    # Post/redirect/get: the token rides in the (signed, HttpOnly) session cookie to the next GET
    # of this page, which shows it once and forgets it; a refresh then neither repeats the POST
    # nor shows the token again.
    session[NEW_TOKEN] = {"id": row.id, "token": token}
    return redirect(url_for(".tokens"))


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("admin")
def revoke_api_token(token_id):
    token = get_or_404(ApiToken, token_id)
    if not revoke_token(current_user, token, utcnow()):
        flash(_("The token “%(name)s” was already revoked.", name=token.name), "error")
        return render_tokens(409)
    flash(_("Revoked the token “%(name)s”: requests using it are refused from now on.", name=token.name),
          "success")
    return redirect(url_for(".tokens"))

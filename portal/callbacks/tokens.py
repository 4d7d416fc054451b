"""API tokens for the intake endpoint: admins create (the token is shown once) and revoke."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portal.callbacks import bp
from portal.extensions import db
from portal.models import ApiToken, Branch, Service, utcnow
from portal.services.organisation.api_tokens import create_token, revoke_token
from portal.web.scope import current_scope, get_or_404
from portal.web.security import require_recent_auth, roles_required


def render_tokens(status: int = 200, **extra):
    tokens = db.session.scalars(current_scope().select(ApiToken).options(joinedload(ApiToken.creator))
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()
    # Integrations send ids: show the ones they need beside the tokens.
    branches = db.session.scalars(current_scope().select(Branch).order_by(Branch.name)).all()
    services = db.session.scalars(current_scope().select(Service).order_by(Service.name)).all()
    return render_template("callbacks/tokens.html", tokens=tokens, branches=branches, services=services,
                           **extra), status


@bp.get("/tokens")
@roles_required("admin")
def tokens():
    return render_tokens()


@bp.post("/tokens")
@roles_required("admin")
@require_recent_auth
def create_api_token():
    row, token, error = create_token(current_user, request.form.get("name", ""), utcnow())
    if error:
        flash(error, "error")
        return render_tokens(400, name=request.form.get("name", "")[:200])
    # Rendered, not redirected: this response is the only place the token ever appears.
    return render_tokens(201, new_token=token, new_row=row)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("admin")
def revoke_api_token(token_id):
    token = get_or_404(ApiToken, token_id)
    if not revoke_token(current_user, token, utcnow()):
        flash(f"The token “{token.name}” was already revoked.", "error")
        return render_tokens(409)
    flash(f"Revoked the token “{token.name}”: requests using it are refused from now on.", "success")
    return redirect(url_for(".tokens"))

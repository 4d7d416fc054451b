from flask import render_template

from portal.admin import bp
from portal.extensions import db
from portal.models import User
from portal.web.scope import current_scope
from portal.web.security import roles_required


@bp.get("/users")
@roles_required("admin")
def users():
    rows = db.session.scalars(current_scope().select(User).order_by(User.role, User.name)).all()
    return render_template("admin/users.html", users=rows)

from flask import render_template

from portal.extensions import db
from portal.models import User
from portal.web.security import roles_required
from portal.web.scope import scoped
from portal.admin import bp


@bp.get("/users")
@roles_required("admin")
def users():
    rows = db.session.scalars(scoped(User).order_by(User.role, User.name)).all()
    return render_template("admin/users.html", users=rows)

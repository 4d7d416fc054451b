from flask import render_template

from ..extensions import db
from ..models import User
from ..security import roles_required
from ..tenancy import scoped
from . import bp


@bp.get("/users")
@roles_required("admin")
def users():
    rows = db.session.scalars(scoped(User).order_by(User.role, User.name)).all()
    return render_template("admin/users.html", users=rows)

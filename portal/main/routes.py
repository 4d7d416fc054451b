from flask import render_template
from flask_login import current_user, login_required

from portal.main import bp
from portal.models import utcnow
from portal.services.dashboard import dashboard_numbers
from portal.services.scope import Scope


@bp.get("/")
@login_required
def dashboard():
    scope = Scope.of(current_user)
    numbers = dashboard_numbers(scope, utcnow())
    return render_template("main/dashboard.html", numbers=numbers, scope=scope)


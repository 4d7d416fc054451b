from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.domain.organisation import LANGUAGES
from portal.main import bp
from portal.models import utcnow
from portal.services.accounts.preferences import set_language
from portal.services.dashboard import dashboard_numbers
from portal.services.scope import Scope
from portal.web.errors import render_error
from portal.web.i18n import COOKIE, COOKIE_MAX_AGE, same_site_path


@bp.get("/")
@login_required
def dashboard():
    scope = Scope.of(current_user)
    numbers = dashboard_numbers(scope, utcnow())
    return render_template("main/dashboard.html", numbers=numbers, scope=scope)


COMPANY_DEFAULT = "company"  # My account: follow the company's default language


@bp.post("/language")
def switch_language():
    """The header's language switch: a signed-in user's choice is stored on the account, an
    anonymous visitor's in a cookie; either way back to the page it was used on."""
    language = request.form.get("language", "")
    follow_company = language == COMPANY_DEFAULT and current_user.is_authenticated
    if language not in LANGUAGES and not follow_company:
        return render_error(400, _("Choose Deutsch (de) or English (en)."))
    back = same_site_path(request.form.get("next"), url_for("main.dashboard"))
    response = redirect(back)
    if current_user.is_authenticated:
        set_language(current_user, None if follow_company else language)
    if follow_company:
        response.delete_cookie(COOKIE)
        return response
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response

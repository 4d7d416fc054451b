"""The language and time zone of each request (Flask-Babel's selectors), and the header switch.

The language is the user's own choice (users.language, set on My account or with the header
switch), else their company's default; before sign-in it is the switch's cookie, else the best
match of the browser's Accept-Language among the languages the portal speaks. The time zone is
the company's.
"""
import json
from urllib.parse import urlsplit

from flask import has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from portal.domain.messages import set_renderer
from portal.domain.organisation import LANGUAGE_LABELS, LANGUAGES
from portal.translations.runtime import countdown_words, page_catalog, render, translate
from portal.translations.runtime import param as _param

FALLBACK_LANGUAGE = "en"
COOKIE = "portal_language"
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    if not has_request_context():  # a command, a sweep, a test calling a service: English
        return FALLBACK_LANGUAGE
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "language", None) or current_user.company.default_language
        if chosen in LANGUAGES:
            return chosen
    return request_language()


def select_timezone() -> str:
    if not has_request_context():
        return "UTC"
    if current_user and current_user.is_authenticated:
        return current_user.company.timezone or "UTC"
    return "UTC"


def current_language() -> str:
    """The language of this request's pages: "de" or "en"."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else FALLBACK_LANGUAGE


def register(app) -> None:
    set_renderer(render)
    register_templates(app)

    @app.context_processor
    def inject_language():
        return {"current_language": current_language(), "language_labels": LANGUAGE_LABELS}


def same_site_path(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site (the page the switch was used on), else `fallback`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else fallback


def request_language() -> str:
    """The language this request asks for without looking at the signed-in user (the switch's
    cookie, else Accept-Language): for pages that must not touch the database."""
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or FALLBACK_LANGUAGE


@pass_context
def _template_gettext(context, string: str, **variables):
    """`_()` in templates: Flask-Babel's translation, with domain Messages among the variables
    translated too (Jinja's own newstyle gettext would put their English text in)."""
    text = page_catalog().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % {name: _param(value) for name, value in variables.items()}


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables):
    text = page_catalog().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % {"num": num, **{name: _param(value) for name, value in variables.items()}}


def register_templates(app) -> None:
    """Every `{{ value }}` that is a domain Message prints in the page's language; `_`/`ngettext`
    translate Messages given as variables. Runs before any template is compiled."""
    app.jinja_env.finalize = translate  # itself, not a wrapper: it runs for every output of every page
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext,
                                 ngettext=_template_ngettext)
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals["countdown_words"] = lambda: json.dumps(countdown_words(), ensure_ascii=False)

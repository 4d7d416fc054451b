"""The language and time zone of each request (Flask-Babel's selectors).

The language is the user's own choice, else their company's default, else the best match of the
browser's Accept-Language among the languages the portal speaks; the time zone is the company's.
"""
from flask import request
from flask_login import current_user

from portal.domain.organisation import LANGUAGES

FALLBACK_LANGUAGE = "en"


def select_locale() -> str:
    if current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "language", None) or current_user.company.default_language
        if chosen in LANGUAGES:
            return chosen
    return request.accept_languages.best_match(LANGUAGES) or FALLBACK_LANGUAGE


def select_timezone() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.company.timezone or "UTC"
    return "UTC"

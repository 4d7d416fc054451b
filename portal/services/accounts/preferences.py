"""A user's own settings that are no security matter: the language of their pages."""
from portal.domain.organisation import LANGUAGES
from portal.extensions import db
from portal.models import User


def set_language(user: User, language: str | None) -> bool:
    """Store the user's language ("de", "en"; None follows the company's default). Commits;
    False (nothing stored) for a language the portal does not speak."""
    if language is not None and language not in LANGUAGES:
        return False
    user.language = language
    db.session.commit()
    return True

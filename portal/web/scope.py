"""The signed-in user's tenant scope, for views: `current_scope()` and `get_or_404()`."""
from flask import abort, g
from flask_login import current_user

from portal.services.scope import Scope


def current_scope() -> Scope:
    """What the signed-in user may see (computed once per request)."""
    if "scope" not in g:
        g.scope = Scope.of(current_user)
    return g.scope


def get_or_404(model, ident, *criteria):
    """One row within the signed-in user's scope by primary key, or 404."""
    row = current_scope().get(model, ident, *criteria)
    if row is None:
        abort(404)
    return row

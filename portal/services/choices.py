"""Records offered as choices in forms (branches, staff): (id, name) pairs, cached per generation.

A filter or an assign dropdown of a large chain lists hundreds of branches or thousands of
staff; loading them as full records on every page view is most of such a page's work. Branch
and staff changes bump the company's configuration generation (portal/cache/invalidation.py),
so a cached list is never stale.
"""
from typing import NamedTuple

from sqlalchemy import ColumnElement, select

from portal.cache import cached
from portal.extensions import db
from portal.models import Branch, Staff
from portal.services.scope import Scope


class Choice(NamedTuple):
    """One record as a form choice: (value, label) for the select macro, .id and .name for others."""

    id: int
    name: str


def choices(scope: Scope, model: type[Branch] | type[Staff], name: str,
            *criteria: ColumnElement[bool]) -> list[Choice]:
    """Records of `model` within the scope, by name; `name` tells apart lists with other criteria."""

    def load() -> list[tuple[int, str]]:
        stmt = select(model.id, model.name).where(*scope.where(model), *criteria)
        return [(row.id, row.name) for row in db.session.execute(stmt.order_by(model.name, model.id))]

    branch = "all" if scope.branch_id is None else scope.branch_id
    key = f"choices:{model.__tablename__}:{name}:{branch}"
    return [Choice(*pair) for pair in cached(scope.company_id, key, list[tuple[int, str]], load,
                                                  in_process=True)]

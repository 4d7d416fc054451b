"""Tenant-scoped lookups: the one way views and services reach tenant rows.

The company filter sits inside the query itself, so a record of another company is simply not
found (404) instead of being loaded and then refused (which would confirm it exists).
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from portal.extensions import db


def company_id() -> int:
    """The signed-in user's company id."""
    return current_user.company_id


def scoped(model, *criteria) -> Select:
    """SELECT of `model` limited to the signed-in user's company."""
    return select(model).where(model.company_id == company_id(), *criteria)


def get_or_404(model, ident, *criteria):
    """One row of the signed-in user's company by primary key, or 404."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    row = db.session.scalar(scoped(model, model.id == ident, *criteria))
    if row is None:
        abort(404)
    return row

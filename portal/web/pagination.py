"""The one pagination: numbered pages of a single-entity SELECT, for every list of the portal.

The page itself (`Page`) is a pure value in portal.domain.paging; the page number is read by the
input layer; the links keep only the list's own filters, so url_for never sees `_external` & co.
"""
from collections.abc import Iterable

from flask import current_app, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from portal.domain.paging import Page, clamp_page
from portal.extensions import db
from portal.web.inputs import arg_page

__all__ = ["Page", "page_args", "page_number", "paginate_entities", "per_page"]


def page_number() -> int:
    return arg_page()


def per_page() -> int:
    return current_app.config.get("PAGE_SIZE", 25)


def paginate_entities(stmt: Select) -> Page:
    """A page of a single-entity SELECT (joined eager loads kept, counted without them)."""
    size = per_page()
    total = db.session.scalar(select(func.count()).select_from(
        stmt.options(lazyload("*")).order_by(None).subquery())) or 0
    number = clamp_page(page_number(), total, size)
    items = list(db.session.execute(stmt.limit(size).offset((number - 1) * size)).unique().scalars())
    return Page(items, number, size, total)


def page_args(filters) -> dict:
    """The list's own filters from the query string (a form's fields, or names), for the pagination
    and export links: nothing else of the request reaches url_for (no _external, _anchor, …)."""
    names: Iterable[str] = filters._fields if hasattr(filters, "_fields") else filters
    return {name: request.args[name] for name in names if name != "page" and request.args.get(name)}

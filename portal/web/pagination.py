"""The one pagination: numbered pages of a single-entity SELECT, for every list of the portal."""
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from portal.extensions import db


@dataclass(frozen=True)
class Page:
    """One page of a list, with what the pagination macro needs."""

    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def numbers(self) -> list[int | None]:
        """Page numbers to offer: the first, the last and two around this one; None for a gap."""
        wanted = {1, self.pages, *range(self.number - 2, self.number + 3)}
        shown: list[int | None] = []
        previous = 0
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if number - previous > 1:
                shown.append(None)
            shown.append(number)
            previous = number
        return shown


def page_number() -> int:
    return max(1, request.args.get("page", 1, type=int))


def per_page() -> int:
    return current_app.config.get("PAGE_SIZE", 25)


def paginate_entities(stmt: Select) -> Page:
    """A page of a single-entity SELECT (joined eager loads kept, counted without them)."""
    size = per_page()
    total = db.session.scalar(select(func.count()).select_from(
        stmt.options(lazyload("*")).order_by(None).subquery())) or 0
    number = min(page_number(), max(1, -(-total // size)))
    items = list(db.session.execute(stmt.limit(size).offset((number - 1) * size)).unique().scalars())
    return Page(items, number, size, total)


def page_args() -> dict:
    """The current query string without the page number (for the pagination links)."""
    return {key: value for key, value in request.args.items() if key != "page"}

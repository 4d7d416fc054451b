"""One page of a numbered list: what the pagination macro needs (templates/macros/pagination.html)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
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


def clamp_page(requested: int, total: int, per_page: int) -> int:
    """The requested page number within 1..the last page."""
    return min(max(1, requested), max(1, -(-total // per_page)))

"""Rows of list pages read as plain values: a frozen dataclass per row, filled from one statement
(a page of ORM objects with joined parts cost more than its query)."""
from typing import Any


def own_columns(model: Any, row: Any, parts: tuple[str, ...]) -> list:
    """`model`'s columns named by the fields of the dataclass `row`, in field order, leaving out
    `parts` (the fields that come from joined tables, which the statement selects after these)."""
    return [getattr(model, name) for name in row.__dataclass_fields__ if name not in parts]

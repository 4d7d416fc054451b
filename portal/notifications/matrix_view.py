"""The matrix page's rows with their words already said.

A node's matrix is 13 events × 4 channels, each cell with five values and their provenance:
some 6,000 template outputs, most of them domain Messages translated one by one, and a macro
per provenance tag. Here each distinct value is said once a page (most cells share theirs with
others: "default from the event catalog", "inherited from Company"), each sentence pattern is
looked up once and filled per cell, so the template only writes out plain text.
"""
from dataclasses import dataclass

from flask_babel import gettext

from portal.domain.inheritance import Effective
from portal.domain.notifications import CHANNEL_LABELS, CHANNELS, KEYS, Event
from portal.models import EVENT_CATEGORIES
from portal.notifications.presenters import (
    CATEGORY_LABELS,
    Mark,
    ValueView,
    cell_marks,
    ignored_text,
    lock_text,
    value_view,
)
from portal.services.notifications.read import NodeMatrix, StoredCell
from portal.translations.runtime import translated


@dataclass(frozen=True)
class MatrixCell:
    """One cell of the matrix as the page prints it: on/off, its values, marks and notes, said."""

    event_type: str
    channel: str
    enabled: bool
    values: tuple[ValueView, ...]  # in KEYS order; the first is Enabled
    marks: tuple[Mark, ...]
    lock: str | None
    ignored: str | None
    own: StoredCell | None
    spoken: str  # "Booking confirmed by Email:", for screen readers
    details: str  # ": details of Booking confirmed by Email"

    @property
    def state(self) -> ValueView:
        return self.values[0]

    @property
    def set_here(self) -> bool:
        return bool(self.own and self.own.settings)


@dataclass(frozen=True)
class MatrixRow:
    event: Event
    label: str
    plan_label: str  # "Delivery plan of Booking confirmed"
    channels_of: str  # "channels of Booking confirmed" (the row's "change all", spoken)
    cells: tuple[MatrixCell, ...]


class MatrixWords:
    """What one matrix page has said: each distinct value once, each pattern once."""

    def __init__(self, level: str, entity_id: int) -> None:
        self.level, self.entity_id = level, entity_id
        self.values: dict[Effective, ValueView] = {}
        self.channels = {channel: translated(CHANNEL_LABELS[channel]) for channel in CHANNELS}
        self.by = gettext("%(label)s by %(channel_label)s:")
        self.details = gettext(": details of %(label)s by %(channel_label)s")
        self.plan = gettext("Delivery plan of %(event)s")
        self.channels_of = gettext("channels of %(label)s")

    def value(self, effective: Effective) -> ValueView:
        """The value as the node sees it (value_view), said; the same effective value reads the
        same wherever it appears on the page (value_view depends on nothing else)."""
        try:
            said = self.values.get(effective)
        except TypeError:  # a value that cannot be a key (none of today's settings): said afresh
            return self._said(effective)
        if said is None:
            said = self.values[effective] = self._said(effective)
        return said

    def _said(self, effective: Effective) -> ValueView:
        view = value_view(effective, self.level, self.entity_id)
        return ValueView(view.key, translated(view.label), translated(view.value),
                         translated(view.provenance), view.kind, translated(view.short))


def matrix_rows(matrix: NodeMatrix, level: str, entity_id: int) -> list[tuple[str, list[MatrixRow]]]:
    """(category label, event rows) in catalog order, each row with its four channel cells."""
    words = MatrixWords(level, entity_id)
    groups = []
    for category in EVENT_CATEGORIES:
        rows = [_row(matrix, event, words) for event in matrix.events if event.category == category]
        if rows:
            groups.append((translated(CATEGORY_LABELS.get(category, category.capitalize())), rows))
    return groups


def _row(matrix: NodeMatrix, event: Event, words: MatrixWords) -> MatrixRow:
    label = translated(event.label)
    return MatrixRow(event, label, words.plan % {"event": label}, words.channels_of % {"label": label},
                     tuple(_cell(matrix, event.event_type, channel, label, words) for channel in CHANNELS))


def _cell(matrix: NodeMatrix, event_type: str, channel: str, label: str, words: MatrixWords) -> MatrixCell:
    cell = matrix.cells[(event_type, channel)]
    names = {"label": label, "channel_label": words.channels[channel]}
    ignored, lock = ignored_text(cell), lock_text(cell, words.level)
    return MatrixCell(
        event_type, channel, cell.enabled, tuple(words.value(cell.values[key]) for key in KEYS),
        tuple(Mark(mark.kind, mark.symbol, translated(mark.words)) for mark in cell_marks(cell, words.level)),
        translated(lock) if lock else None, translated(ignored) if ignored else None,
        matrix.own.get((event_type, channel)),
        words.by % names, words.details % names)


import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, NotificationConfiguration
from tests.html import Element, parse


@pytest.fixture
def add_cell(app, world):
    """Store what one level sets for one (event, channel), as if saved earlier; returns the row id."""

    def add(level, entity_id, event_type, channel, locked=False, **settings):
        with app.app_context():
            row = NotificationConfiguration(company_id=world.company.id, configurable_type=level,
                                            configurable_id=entity_id, event_type=event_type,
                                            channel=channel, locked=locked, **settings)
            db.session.add(row)
            db.session.commit()
            return row.id

    return add


def node_url(level, entity_id, **context):
    query = "&".join(f"{key}={value}" for key, value in context.items())
    return f"/notifications/{level}/{entity_id}" + (f"?{query}" if query else "")


def cell_url(level, entity_id, event_type, channel):
    return f"/notifications/{level}/{entity_id}/cell/{event_type}/{channel}"


def stored_cell(app, level, entity_id, event_type, channel):
    """(settings set at that level, locked, version) of a stored row, or None."""
    with app.app_context():
        row = db.session.scalar(select(NotificationConfiguration).where(
            NotificationConfiguration.configurable_type == level,
            NotificationConfiguration.configurable_id == entity_id,
            NotificationConfiguration.event_type == event_type, NotificationConfiguration.channel == channel))
        if row is None:
            return None
        keys = ("is_enabled", "fallback_channel", "retry_count", "retry_delay_minutes", "template_override")
        settings = {key: getattr(row, key) for key in keys if getattr(row, key) is not None}
        return settings, row.locked, row.version


def row_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(NotificationConfiguration.id)))


def audit_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def matrix_cell(page, event_type: str, channel: str) -> Element:
    """The matrix cell of one (event, channel) on a node page (HTML text or parsed)."""
    doc = parse(page) if isinstance(page, str) else page
    return doc.one("td", data_cell=f"{event_type}-{channel}")


def shown(cell: Element, key: str) -> tuple[str, str, str]:
    """(value, provenance kind, provenance words) of one setting as a matrix cell shows it."""
    item = cell.one(data_key=key)
    mark = item.one(data_provenance=True)
    return item["data-value"], mark["data-provenance"], mark.get("title") or mark.spoken


def state(cell: Element) -> tuple[str, str]:
    """("on" or "off", provenance words) of a matrix cell."""
    line = cell.one(data_enabled=True)
    return line["data-enabled"], line.one(data_provenance=True)["title"]


def editor_row(page, key: str) -> Element:
    """The row of one setting in the cell editor."""
    return (parse(page) if isinstance(page, str) else page).one("tr", data_setting=key)

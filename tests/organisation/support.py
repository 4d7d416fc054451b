"""Helpers of the organisation tests: read records back, count audit events, open links."""
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent
from tests.html import page


def audit_count(app, entity_type: str, action: str | None = None) -> int:
    with app.app_context():
        stmt = select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == entity_type)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return db.session.scalar(stmt) or 0


def read(app, model, ident):
    """A fresh copy of one row (and its links, loaded while the session is open)."""
    with app.app_context():
        row = db.session.get(model, ident)
        for name in ("services", "branches"):
            if hasattr(row, name):
                list(getattr(row, name))
        db.session.expunge(row)
        return row


def version_on(client, url: str) -> str:
    return page(client.get(url)).find_all("input", name="version")[0]["value"]


def link_of(response) -> str:
    """The path of the one-time link a page shows once."""
    link = page(response).one(data_link=True).text
    return link[link.index("/set-password/"):]

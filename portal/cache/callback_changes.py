"""Values worked out from a company's callbacks, kept until one of them changes.

Every commit that adds, changes or deletes callbacks bumps a counter per company in the cache
(`callbacks:{company}`), and every bulk UPDATE or DELETE of callbacks whose company the
statement does not name bumps one counter for all companies. A value is kept with the counters
it was worked out under and read back in the same round trip as the current ones, so any change
committed since retires it, on every app machine.

The bump comes after the commit, never inside the transaction: a reader counting between a flush
and the commit must not store what it saw under the counter the commit announces. A bump the
cache never got (Redis failing at that moment) is why every kept value also has a short life.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from portal.extensions import cache
from portal.models import CallbackRequest

CHANGED = "portal.cache.callbacks_changed"  # session.info: companies changed in this transaction
EVERY_COMPANY = 0  # the counter of changes whose company is not known
COMPANY_COLUMN = CallbackRequest.__table__.c.company_id


def _counter(company_id: int) -> str:
    return f"callbacks:{company_id}"


def _changed(session: Session) -> set[int]:
    return session.info.setdefault(CHANGED, set())


def note_flush(session: Session, flush_context=None) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, CallbackRequest) and (obj not in session.dirty or session.is_modified(obj)):
            _changed(session).add(obj.company_id)


def note_statement(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE of callbacks: the company its WHERE names, else every company."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    if state.bind_mapper.class_ is CallbackRequest:
        _changed(state.session).add(statement_company(state.statement) or EVERY_COMPANY)


def statement_company(statement: Any) -> int | None:
    """The company of `company_id = <value>` in a statement's WHERE (the tenant scope's criterion)."""
    where = getattr(statement, "whereclause", None)
    for element in visitors.iterate(where) if where is not None else ():
        if (isinstance(element, BinaryExpression) and element.operator is operators.eq
                and element.left.compare(COMPANY_COLUMN) and isinstance(element.right, BindParameter)
                and isinstance(element.right.value, int)):
            return element.right.value
    return None


def announce(session: Session) -> None:
    for company_id in sorted(session.info.pop(CHANGED, ())):
        cache.cache.inc(_counter(company_id))  # the backend's own INCR (Flask-Caching has none)


def forget(session: Session, *args) -> None:
    session.info.pop(CHANGED, None)


def register(app) -> None:
    if not event.contains(Session, "after_flush", note_flush):
        event.listen(Session, "after_flush", note_flush)
        event.listen(Session, "do_orm_execute", note_statement)
        event.listen(Session, "after_commit", announce)
        for name in ("after_rollback", "after_soft_rollback"):
            event.listen(Session, name, forget)


def _counters(company_id: int) -> list[str]:
    return [_counter(company_id), _counter(EVERY_COMPANY)]


def kept(company_id: int, name: str, now: datetime) -> tuple[Any, list]:
    """(the value kept under `name`, or None when a change or its time has retired it; the
    current counters, to keep a value worked out now with)."""
    version_key, every_key = _counters(company_id)
    stored, *counters = cache.get_many(name, version_key, every_key)
    counters = [counter if isinstance(counter, int) else 0 for counter in counters]
    if isinstance(stored, dict) and stored.get("counters") == counters and now < _moment(stored.get("until")):
        return stored.get("value"), counters
    return None, counters


def _moment(text: Any) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.min


def keep(name: str, value: Any, counters: list, until: datetime, seconds: int) -> None:
    """Keep `value` (JSON) with the counters it was worked out under, until `until` at the latest."""
    cache.set(name, {"counters": counters, "until": until.isoformat(), "value": value}, timeout=seconds)

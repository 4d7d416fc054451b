"""Intake takes turns per phone number, not per company.

Two requests from one phone arriving together must merge, so the second waits until the first
has committed; requests from different phones have nothing to wait for. The lock is the row of
(company, phone) in callback_phone_locks, written with an upsert: on MariaDB the duplicate key
takes an exclusive lock on that one record (no gap lock, so different phones never block each
other), and the lock ends with the transaction, whatever ends it. SQLite serialises writers anyway.
"""
from datetime import datetime

from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import CallbackPhoneLock


def lock_phone(company_id: int, phone_number: str, now: datetime) -> None:
    """Hold the phone's intake lock until this transaction ends (waits while another holds it)."""
    values = {"company_id": company_id, "phone_number": phone_number, "locked_at": now}
    if db.session.get_bind().dialect.name == "mysql":
        db.session.execute(mysql_insert(CallbackPhoneLock).values(**values).on_duplicate_key_update(locked_at=now))
    else:
        db.session.execute(sqlite_insert(CallbackPhoneLock).values(**values).on_conflict_do_update(
            index_elements=["company_id", "phone_number"], set_={"locked_at": now}))

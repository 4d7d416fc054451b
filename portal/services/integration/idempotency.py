"""Idempotency-Key: a write the API answered is answered the same when retried with the key.

The key is claimed (a row, committed) before the write, so two requests with one key never both
write: the database's unique key lets one claim it, the other is told it is in progress (or,
once it is done, gets its answer). A refused write releases the key, so a corrected request may
use it again; the same key with a different request is refused.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import ApiIdempotencyKey
from portal.services.organisation.api_tokens import TokenUse

KEY_MAX = 255
IN_PROGRESS = 0  # the status of a claimed key whose write has not answered yet
KEEP = timedelta(hours=24)  # how long an answer is kept for retries (`forget_old_keys`)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: claimed (do the write), a stored answer, or a refusal."""

    row_id: int | None = None
    status: int | None = None
    body: dict | None = None
    problem: str | None = None  # "mismatch" | "in-progress"


def request_hash(method: str, path: str, body: object) -> str:
    return hashlib.sha256(json.dumps([method, path, body], sort_keys=True, default=str).encode()).hexdigest()


def claim_key(token: TokenUse, key: str, digest: str, now: datetime) -> Claim:
    """Claim `key` for this token and request (committed), or what an earlier use of it left."""
    row = ApiIdempotencyKey(
        company_id=token.company_id,
        token_id=token.id,
        key=key,
        request_hash=digest,
        status=IN_PROGRESS,
        body={},
        created_at=now,
    )
    db.session.add(row)
    try:
        db.session.commit()
        return Claim(row_id=row.id)
    except IntegrityError:
        db.session.rollback()
    earlier = db.session.scalar(
        select(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token.id, ApiIdempotencyKey.key == key)
    )
    if earlier is None:  # released between our insert and this read: the caller may try again
        return Claim(problem="in-progress")
    if earlier.request_hash != digest:
        return Claim(problem="mismatch")
    if earlier.status == IN_PROGRESS:
        return Claim(problem="in-progress")
    return Claim(status=earlier.status, body=dict(earlier.body))


def remember_answer(claim: Claim, status: int, body: dict) -> None:
    """Store the answer of the claimed key's write (committed)."""
    row = db.session.get_one(ApiIdempotencyKey, claim.row_id)
    row.status, row.body = status, body
    db.session.commit()


def release_key(claim: Claim) -> None:
    """Forget a claimed key whose write was refused (committed)."""
    db.session.rollback()
    db.session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.id == claim.row_id))
    db.session.commit()


def forget_old_keys(now: datetime, keep: timedelta = KEEP) -> int:
    """Delete the keys claimed more than `keep` ago (committed); how many. A client retries within
    minutes; a key sent again after a day is a new request. Run from cron (`flask api forget-keys`)."""
    result = cast(CursorResult, db.session.execute(
        delete(ApiIdempotencyKey).where(ApiIdempotencyKey.created_at < now - keep)))
    db.session.commit()
    return result.rowcount

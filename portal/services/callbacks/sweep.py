"""The sweep (`flask callbacks sweep`): expire stale callbacks, escalate overdue ones.

Idempotent and safe from several machines at once:
- expiring is a conditional update on the open states, so a callback expires once;
- an sla_breach escalation is an insert the database refuses while one is unresolved (unique key
  over callback, reason and open_marker), so two sweeps never raise two;
- callbacks are handled in id order in short batches, so concurrent sweeps wait for each other
  instead of deadlocking; a deadlock or lock timeout still retries the batch, which is safe
  because every step is idempotent.
"""
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import OperationalError

from portal.domain.callbacks import OPEN, format_duration, should_expire
from portal.extensions import db
from portal.models import CallbackEscalation, CallbackRequest, Company
from portal.services import audit
from portal.services.callbacks.escalation import raise_escalation
from portal.services.callbacks.policy import PolicyBook
from portal.services.scope import Scope

log = logging.getLogger(__name__)
BATCH = 200
RETRIES = 3
SWEEP = "Sweep (automatic)"


@dataclass
class SweepReport:
    lines: list[str] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    already_escalated: int = 0

    def summary(self, now: datetime) -> str:
        return (f"Sweep at {now:%Y-%m-%d %H:%M} UTC: {len(self.escalated)} escalated (sla_breach), "
                f"{len(self.expired)} expired, {self.already_escalated} already escalated.")


def sweep(now: datetime) -> SweepReport:
    """Sweep every company with overdue open callbacks."""
    report = SweepReport()
    company_ids = db.session.scalars(select(CallbackRequest.company_id).where(
        CallbackRequest.status.in_(OPEN), CallbackRequest.expires_at < now).distinct()).all()
    db.session.rollback()
    for company_id in sorted(company_ids):
        sweep_company(company_id, now, report)
    return report


def _overdue(company_id: int, now: datetime):
    return db.session.execute(
        select(CallbackRequest.id, CallbackRequest.company_id, CallbackRequest.branch_id,
               CallbackRequest.service_id, CallbackRequest.staff_id, CallbackRequest.status,
               CallbackRequest.expires_at, CallbackRequest.customer_name, CallbackRequest.assigned_to)
        .where(*Scope.company(company_id).where(CallbackRequest), CallbackRequest.status.in_(OPEN),
               CallbackRequest.expires_at < now).order_by(CallbackRequest.id)).all()


def sweep_company(company_id: int, now: datetime, report: SweepReport) -> None:
    slug = db.session.scalar(select(Company.slug).where(Company.id == company_id))
    rows = _overdue(company_id, now)
    book = PolicyBook(company_id)
    escalated_already = set(db.session.scalars(select(CallbackEscalation.callback_request_id).where(
        *Scope.company(company_id).where(CallbackEscalation),
        CallbackEscalation.escalation_reason == "sla_breach", CallbackEscalation.resolved_at.is_(None))))
    db.session.rollback()
    to_expire = [row for row in rows
                 if should_expire(row.status, row.expires_at, now, book.for_callback(row))]
    expiring = {row.id for row in to_expire}
    staying_open = [row for row in rows if row.id not in expiring]
    to_escalate = [row for row in staying_open if row.id not in escalated_already]
    report.already_escalated += len(staying_open) - len(to_escalate)
    for start in range(0, len(to_expire), BATCH):
        batch = to_expire[start:start + BATCH]
        _with_retries(lambda batch=batch: _expire_batch(batch, slug, now, report))
    for start in range(0, len(to_escalate), BATCH):
        batch = to_escalate[start:start + BATCH]
        _with_retries(lambda batch=batch: _escalate_batch(batch, slug, now, report))


def _expire_batch(rows, slug: str | None, now: datetime, report: SweepReport) -> None:
    done = []
    for row in rows:
        result = cast(CursorResult, db.session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id == row.id, *Scope.company(row.company_id).where(CallbackRequest),
                   CallbackRequest.status.in_(OPEN))
            .values(status="expired", version=CallbackRequest.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)))
        if result.rowcount == 1:
            event = audit.record(row.company_id, None, "expire", "callback", row.id,
                                 {"status": row.status}, {"status": "expired"})
            event.actor_label, event.created_at = SWEEP, now
            done.append(row)
    db.session.commit()
    for row in done:
        report.expired.append(row.id)
        report.lines.append(f"{slug}: expired #{row.id} {row.customer_name} "
                            f"({format_duration(now - row.expires_at)} past its deadline)")


def _escalate_batch(rows, slug: str | None, now: datetime, report: SweepReport) -> None:
    raised, skipped = [], 0
    # Re-read which are still open: one completed since the sweep looked needs no escalation.
    still_open = set(db.session.scalars(select(CallbackRequest.id).where(
        CallbackRequest.id.in_([row.id for row in rows]), CallbackRequest.status.in_(OPEN))))
    for row in (row for row in rows if row.id in still_open):
        overdue_minutes = int((now - row.expires_at).total_seconds() // 60)
        escalation = raise_escalation(row, "sla_breach", None, now, escalated_from=row.assigned_to,
                                      actor_label=SWEEP, details={"overdue_minutes": overdue_minutes})
        if escalation is None:
            skipped += 1  # another sweep raised it a moment ago
        else:
            raised.append(row)
    db.session.commit()
    report.already_escalated += skipped
    for row in raised:
        report.escalated.append(row.id)
        report.lines.append(f"{slug}: escalated #{row.id} {row.customer_name} "
                            f"(sla_breach, overdue by {format_duration(now - row.expires_at)})")


def _with_retries(step) -> None:
    for attempt in range(1, RETRIES + 1):
        try:
            step()
            return
        except OperationalError as exc:  # deadlock or lock wait timeout: redo the batch
            db.session.rollback()
            if attempt == RETRIES:
                raise
            log.warning("sweep batch retried after %s", exc.orig)
            time.sleep(0.05 * attempt)

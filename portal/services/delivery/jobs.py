"""The job queue (RQ on Redis): a scheduler puts due attempts on the queue, workers make them.

RQ was chosen over Celery: the portal already runs Redis, a worker is one command, and nothing here
needs Celery's routing or brokers. The queue only wakes workers: each job claims its attempt in the
database first (dispatch.deliver_attempt), so a job run twice, or by two workers, sends once.
"""
import logging
import time
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from redis import Redis
from rq import Queue, SimpleWorker

from portal.domain.clock import whole_seconds
from portal.extensions import db
from portal.models import utcnow
from portal.services.delivery.dispatch import deliver_attempt, due_ids, recover_stale

log = logging.getLogger("portal.delivery")
ENQUEUED_SECONDS = 120  # an attempt put on the queue is not put there again for this long


def connection() -> Redis:
    url = current_app.config["JOBS_REDIS_URL"]
    if not url:
        raise RuntimeError("REDIS_URL is not set: without Redis, run `flask notifications dispatch --loop`.")
    return Redis.from_url(url)


def queue(redis: Redis | None = None) -> Queue:
    return Queue(current_app.config["DELIVERY_QUEUE"], connection=redis or connection())


def deliver_job(attempt_id: int, now: datetime | None = None) -> bool:
    """The job: make one attempt if it is still due (workers run inside the app context)."""
    try:
        return deliver_attempt(attempt_id, now)
    finally:
        db.session.remove()


def enqueue_due(now: datetime | None = None, limit: int = 1000, redis: Redis | None = None) -> int:
    """Put the attempts due at `now` on the queue (each at most once per ENQUEUED_SECONDS). Jobs
    run at their own time, unless a `now` is given (a fake clock in tests)."""
    job_now = whole_seconds(now) if now is not None else None
    now = whole_seconds(now or utcnow())
    redis = redis or connection()
    recover_stale(now)
    ids = due_ids(now, limit)
    db.session.commit()  # let go of the rows read FOR UPDATE on MariaDB
    jobs, prefix = queue(redis), current_app.config["DELIVERY_QUEUE"]
    put = 0
    for attempt_id in ids:
        if redis.set(f"{prefix}:enqueued:{attempt_id}", 1, nx=True, ex=ENQUEUED_SECONDS):
            jobs.enqueue(deliver_job, attempt_id, job_now, job_timeout=120, result_ttl=600, failure_ttl=86400)
            put += 1
    return put


def run_worker(burst: bool = False, redis: Redis | None = None) -> None:
    """A worker in this process (no fork per job: the app and its database pool stay in one process)."""
    redis = redis or connection()
    SimpleWorker([queue(redis)], connection=redis).work(burst=burst, with_scheduler=False)


def every(seconds: float, step: Callable[[], object], stop: Callable[[], bool] = lambda: False) -> None:
    """Run `step` every `seconds` until `stop()`; a failing step is logged and tried again."""
    while not stop():
        started = time.monotonic()
        try:
            step()
        except Exception:
            log.exception("Delivery loop step failed; trying again in %s s", seconds)
            db.session.rollback()
        finally:
            db.session.remove()
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
